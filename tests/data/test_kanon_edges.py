"""k-anonymity edges: the exact bounds of the wide age bands, missing quasi-identifiers, the report."""

from __future__ import annotations

import pandas as pd
import pytest

from readmit.data import kanon
from readmit.schema import QUASI_IDENTIFIERS

BAND = {0: "0-17", 39: "30-39", 40: "40-49", 59: "50-59", 60: "60-69", 79: "70-79", 80: "80-89", 90: "90+"}


def _pair(a: int, b: int) -> pd.DataFrame:
    rows = [(age, BAND[age], "female", "white", "021", f"p{age}") for age in (a, b)]
    return pd.DataFrame(rows, columns=["age", "age_band", "sex", "race", "zip3", "patient_key"])


@pytest.mark.parametrize(
    ("a", "b", "wide"), [(0, 39, "0-39"), (40, 59, "40-59"), (60, 79, "60-79"), (80, 90, "80+")]
)
def test_widening_puts_both_ends_of_a_wide_band_together(a, b, wide):
    out, report = kanon.enforce(_pair(a, b), 2)
    assert list(out["age_band"]) == [wide, wide]
    assert report["generalised"]["age_band_widened"] == 2 and report["suppressed"] == 0


def test_a_patient_with_a_missing_quasi_identifier_is_not_left_alone_in_a_group():
    df = _pair(40, 59).assign(age_band=["40-49", "40-49"], zip3=[None, "021"])
    out, report = kanon.enforce(df, 2)
    assert report["records_below_k_before"] == 2
    assert list(out["zip3"]) == ["000", "000"] and report["min_group_size_after"] == 2


def test_the_report_names_the_quasi_identifiers_and_an_empty_result_has_no_group():
    out, report = kanon.enforce(_pair(40, 59).iloc[:0], 5)
    assert report["quasi_identifiers"] == list(QUASI_IDENTIFIERS)
    assert (len(out), report["min_group_size_after"], report["suppressed"]) == (0, 0, 0)
