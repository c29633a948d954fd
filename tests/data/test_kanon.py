import pandas as pd

from readmit.data import kanon
from readmit.schema import QUASI_IDENTIFIERS


def _frame(rows):
    return pd.DataFrame(rows, columns=["age", "age_band", "sex", "race", "zip3"])


def _group_sizes(df):
    return df.groupby(list(QUASI_IDENTIFIERS)).size()


def test_groups_already_k_anonymous_are_left_alone():
    df = _frame([(45, "40-49", "female", "white", "021")] * 5)
    out, report = kanon.enforce(df, 5)
    pd.testing.assert_frame_equal(out, df)
    assert report["records_below_k_before"] == 0 and report["suppressed"] == 0


def test_small_groups_are_generalised_until_k_anonymous_and_counted():
    rows = [(45, "40-49", "female", "white", "021")] * 5
    rows += [(41, "40-49", "male", "white", "021")] * 3 + [(55, "50-59", "male", "white", "021")] * 2
    out, report = kanon.enforce(_frame(rows), 5)
    assert report["records_below_k_before"] == 5
    assert report["generalised"]["age_band_widened"] == 5
    assert report["suppressed"] == 0 and len(out) == 10
    assert _group_sizes(out).min() >= 5
    assert set(out.loc[out["sex"] == "male", "age_band"]) == {"40-59"}


def test_records_that_cannot_reach_k_are_suppressed_and_counted():
    rows = [(45, "40-49", "female", "white", "021")] * 5 + [(30, "30-39", "male", "asian", "606")]
    out, report = kanon.enforce(_frame(rows), 5)
    assert report["suppressed"] == 1 and report["records_out"] == 5 == len(out)
    assert report["min_group_size_after"] >= 5


def test_empty_input_gives_an_empty_report_not_a_crash():
    out, report = kanon.enforce(_frame([]), 5)
    assert len(out) == 0 and report["records_in"] == 0 and report["suppressed"] == 0


def test_group_size_counts_patients_not_stays():
    df = _frame([(45, "40-49", "female", "white", "021")] * 6 + [(70, "70-79", "male", "black", "606")] * 5)
    df["patient_key"] = ["a"] * 6 + ["b", "c", "d", "e", "f"]
    out, report = kanon.enforce(df, 5)
    assert report["records_below_k_before"] == 6  # six stays of one patient are not six people
    assert report["suppressed"] == 6 and set(out["patient_key"]) == {"b", "c", "d", "e", "f"}
    assert report["min_group_size_after"] == 5
