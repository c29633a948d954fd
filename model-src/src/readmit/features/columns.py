"""Index rows held column by column in numpy arrays: what the feature code reads of a DataFrame.

The feature code reads its input only through `jsoncol.cells` (a column's values as Python objects),
`events.floats` (a column as float64), `len` and `index`, and both accept this as well as a DataFrame,
so the same functions build the features in training (DataFrames from Parquet) and in serving (a decoded
V2 request). A server builds one of these per request instead of a DataFrame: building and first reading a
one-row DataFrame of the index columns cost about 1 ms CPU, more than the feature arithmetic itself.
"""

from __future__ import annotations

import numpy as np
import pandas as pd


class Columns:
    def __init__(self, data: dict[str, np.ndarray]):
        lengths = {len(values) for values in data.values()}
        if len(lengths) > 1:
            raise ValueError(f"columns of different lengths: {sorted(lengths)}")
        self._data = data
        self._rows = lengths.pop() if lengths else 0

    @property
    def columns(self):
        return self._data.keys()

    @property
    def index(self) -> pd.RangeIndex:
        return pd.RangeIndex(self._rows)

    def __len__(self) -> int:
        return self._rows

    def __getitem__(self, name: str) -> np.ndarray:
        return self._data[name]

    def to_frame(self) -> pd.DataFrame:
        return pd.DataFrame(self._data)
