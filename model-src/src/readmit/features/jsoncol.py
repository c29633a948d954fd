"""JSON-in-a-cell columns (codes, labs, extra, history) parsed once per column, with orjson where it can.

Two readings, kept apart because the feature code has always used both: `texts` parses only strings
(anything else is the default), `values` also passes an already parsed value (a list, a dict) through
and treats None as the default. A cell orjson refuses (NaN tokens, lone surrogates, huge integers) is
parsed by the standard library, so the result is exactly `json.loads`; text neither accepts gives the
default.
"""

from __future__ import annotations

import json

import orjson
import pandas as pd

from readmit.features.columns import Columns


def _loads(text: str, default):
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:
        try:
            return json.loads(text)
        except ValueError:
            return default


def cells(df: pd.DataFrame | Columns, column: str) -> list:
    """The column's values as Python objects (None for every row when the column is absent); `tolist`
    of a Series and of a `Columns` array give the same native values."""
    return df[column].tolist() if column in df.columns else [None] * len(df)


def texts(values: list, default) -> list:
    return [_loads(v, default) if isinstance(v, str) else default for v in values]


def values(values: list, default) -> list:
    return [_loads(v, default) if isinstance(v, str) else default if v is None else v for v in values]


def value(value, default):
    """`values` of one cell."""
    return _loads(value, default) if isinstance(value, str) else default if value is None else value


def texts_of(cells: list, parsed: list, default) -> list:
    """`texts` of `cells` from their `values` (the same parse for every string cell)."""
    return [p if isinstance(c, str) else default for c, p in zip(cells, parsed, strict=True)]
