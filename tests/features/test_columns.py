"""The serving container (`Columns`, what `validate.decode` builds) gives exactly the features the same
rows give as a DataFrame (the training path): same functions, same columns, bit for bit."""

import numpy as np
import pytest

from features import _golden
from readmit.features import build, steps
from readmit.features.columns import Columns


def _as_columns(df):
    return Columns({name: df[name].to_numpy() for name in df.columns})


@pytest.mark.parametrize("blocks", list(_golden.SPECS.values()), ids=list(_golden.SPECS))
@pytest.mark.parametrize("rows", [slice(None), slice(4, 5)], ids=["batch", "one_row"])
def test_features_from_columns_equal_features_from_the_frame(blocks, rows):
    df = _golden.synthetic_frames().iloc[rows].reset_index(drop=True)
    spec = build.fit_spec(_golden.synthetic_frames(), blocks=blocks)
    columns = _as_columns(df)
    from_frame, from_columns = build.timelines(df), build.timelines(columns)
    table, served = build.tabular(df, spec, from_frame), build.tabular(columns, spec, from_columns)
    assert list(served.columns) == list(table.columns)
    assert served.index.equals(table.index)
    np.testing.assert_array_equal(served.to_numpy(), table.to_numpy())  # NaN where NaN, else equal bits
    for got, want in zip(
        steps.vectors(from_columns, _golden.MAX_STEPS, spec),
        steps.vectors(from_frame, _golden.MAX_STEPS, spec),
        strict=True,
    ):
        np.testing.assert_array_equal(got, want)


def test_columns_of_different_lengths_are_refused():
    with pytest.raises(ValueError, match="different lengths"):
        Columns({"age": np.array([70.0]), "sex": np.array(["female", "male"], dtype=object)})
