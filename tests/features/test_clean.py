import numpy as np

from readmit.features.clean import clean, normalize_lab
from training._frames import make_index


def test_incomplete_rows_are_dropped_and_counted_by_reason():
    df = make_index(20, seed=1)
    df.loc[0, "los_days"] = np.nan
    df.loc[1, "dx_codes"] = "not json"
    df.loc[2, "age"] = np.nan
    df.loc[3, "los_days"] = -1.0
    rows, dropped = clean(df)
    assert len(rows) == len(df) - 4
    assert dropped == {"missing_los_days": 1, "missing_age": 1, "missing_dx_codes": 1, "negative_los_days": 1}


def test_complete_rows_pass_untouched():
    df = make_index(10, seed=2)
    rows, dropped = clean(df)
    assert dropped == {} and rows.equals(df.reset_index(drop=True))


def test_labs_are_scaled_so_the_reference_interval_maps_to_minus_one_to_one():
    assert np.isclose(normalize_lab("creatinine", 0.6), -1.0)
    assert np.isclose(normalize_lab("creatinine", 1.2), 1.0)
    assert normalize_lab("sodium", 140.0) == 0.0
    assert np.isclose(normalize_lab("glucose", 210.0), 3.0)
