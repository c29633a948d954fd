"""Drop incomplete index rows (counted, per reason) and put lab values on a common scale."""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd

from readmit.schema import INDEX_COLUMNS, LABEL

# A row without these cannot be featurised honestly; imputing them would invent a patient.
REQUIRED = ("patient_key", "encounter_key", "los_days", "age", "dx_codes")

# Reference interval (low, high) per canonical lab (readmit.schema.LAB_UNITS); values become
# (value - midpoint) / half-width, so 0 is mid-normal and +-1 the edges of normal for every lab.
LAB_REFERENCE = {
    "creatinine": (0.6, 1.2),
    "hba1c": (4.0, 5.6),
    "glucose": (70.0, 140.0),
    "sodium": (135.0, 145.0),
    "potassium": (3.5, 5.0),
    "hemoglobin": (12.0, 17.0),
}


def normalize_lab(name: str, value: float) -> float:
    low, high = LAB_REFERENCE[name]
    return (value - (low + high) / 2) / ((high - low) / 2)


def missing_columns(df: pd.DataFrame, with_label: bool) -> list[str]:
    wanted = [c for c in INDEX_COLUMNS if c != LABEL or with_label]
    return [c for c in wanted if c not in df.columns]


def _parses_as_list(text) -> bool:
    if not isinstance(text, str):
        return False
    try:
        return isinstance(json.loads(text), list)
    except ValueError:
        return False


def clean(df: pd.DataFrame, with_label: bool = True) -> tuple[pd.DataFrame, dict[str, int]]:
    """Rows fit for features, and how many were dropped for each reason (no row ids: they are pseudonyms)."""
    dropped: dict[str, int] = {}
    keep = pd.Series(True, index=df.index)
    for column in REQUIRED:
        bad = df[column].isna() if column != "dx_codes" else ~df[column].map(_parses_as_list)
        bad &= keep
        if bad.any():
            dropped[f"missing_{column}"] = int(bad.sum())
        keep &= ~bad
    bad_los = keep & (df["los_days"].astype(float) < 0)
    if bad_los.any():
        dropped["negative_los_days"] = int(bad_los.sum())
    keep &= ~bad_los
    if with_label:
        bad_label = keep & ~df[LABEL].isin([0, 1])
        if bad_label.any():
            dropped["bad_label"] = int(bad_label.sum())
        keep &= ~bad_label
    return df.loc[keep].reset_index(drop=True), dropped


_REAL = (float, int, np.floating, np.integer)


def finite(value) -> bool:
    # a concrete type tuple: the numbers.Real ABC check dominated feature building time
    return isinstance(value, _REAL) and not isinstance(value, bool) and math.isfinite(value)
