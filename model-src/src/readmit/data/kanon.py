"""k-anonymity over the quasi-identifiers (age band, sex, race, ZIP3) of the index table.

Group size counts distinct patients (`patient_key`), not rows: a patient's many stays do not
make them anonymous.

Local recoding: only records in groups smaller than k are touched, one generalisation step at
a time (coarser age band, ZIP3 -> 000, race -> other, age band -> any); records still in a
small group after the last step are suppressed. Every step is counted for the manifest.
"""

from __future__ import annotations

import pandas as pd

from readmit.schema import QUASI_IDENTIFIERS

WIDE_BANDS = ((0, 39, "0-39"), (40, 59, "40-59"), (60, 79, "60-79"), (80, 200, "80+"))


def _wide_band(age: int) -> str:
    return next(label for low, high, label in WIDE_BANDS if low <= age <= high)


STEPS = (
    ("age_band_widened", lambda df: df.assign(age_band=df["age"].map(_wide_band))),
    ("zip3_suppressed", lambda df: df.assign(zip3="000")),
    ("race_generalised", lambda df: df.assign(race="other")),
    ("age_band_removed", lambda df: df.assign(age_band="any")),
)


def _sizes(df: pd.DataFrame) -> pd.Series:
    """Per record, how many distinct patients share its quasi-identifiers (records when no patient_key):
    one patient with 40 stays is still one person."""
    groups = df.groupby(list(QUASI_IDENTIFIERS), dropna=False, sort=False)
    return (
        groups["patient_key"].transform("nunique") if "patient_key" in df else groups["age"].transform("size")
    )


def _small(df: pd.DataFrame, k: int) -> pd.Series:
    return _sizes(df) < k


def enforce(df: pd.DataFrame, k: int) -> tuple[pd.DataFrame, dict]:
    """Return (k-anonymous copy of `df`, report). Needs the QI columns and `age`."""
    df = df.copy()
    small = _small(df, k) if len(df) else pd.Series(False, index=df.index)
    report = {
        "min_k": k,
        "quasi_identifiers": list(QUASI_IDENTIFIERS),
        "records_in": len(df),
        "records_below_k_before": int(small.sum()),
        "generalised": {},
    }
    for name, step in STEPS:
        changed = int(small.sum())
        if changed:
            df.loc[small, :] = step(df.loc[small, :])
            small = _small(df, k)
        report["generalised"][name] = changed
    report["suppressed"] = int(small.sum())
    df = df.loc[~small].reset_index(drop=True)
    report["records_out"] = len(df)
    report["min_group_size_after"] = int(_sizes(df).min()) if len(df) else 0
    return df, report
