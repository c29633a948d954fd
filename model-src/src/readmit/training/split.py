"""Train/validation/test assignment grouped by patient, so no patient is in two splits.

grouped: a keyed hash of (seed, patient_key) orders patients, so membership does not depend on row order.
temporal: forward in time. Rows are ordered by `extra.period`, the global time axis ingest writes (UCI:
encounter_id order, as the data set publishes no dates; `*_day` values are relative to each patient's
first encounter, so they cannot order patients). A patient belongs to the split of their latest stay:
train patients have every stay before validation starts, validation before test. Validation and test keep
only stays from their own slice; a later patient's earlier stays are left out (not trained on), and
still reach the model as the history their later rows carry.
"""

from __future__ import annotations

import hashlib
import json

import numpy as np
import pandas as pd

from readmit.errors import InputError
from readmit.features.build import TIME_ORDER_KEY

METHODS = ("grouped", "temporal")
UNUSED = "unused"  # earlier stays of validation/test patients in the temporal split
PERIOD_KEY = TIME_ORDER_KEY


def _patient_order(patients: pd.Series, seed: int) -> list[str]:
    unique = sorted(set(patients))
    return sorted(unique, key=lambda k: hashlib.sha256(f"{seed}:{k}".encode()).hexdigest())


def periods(df: pd.DataFrame) -> pd.Series:
    """The global time position of each row (`extra.period`); NaN where the source has none."""

    def one(text) -> float:
        try:
            value = json.loads(text).get(PERIOD_KEY) if isinstance(text, str) else None
        except (ValueError, AttributeError):
            return np.nan
        return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else np.nan

    return pd.Series([one(t) for t in df["extra"]], index=df.index, dtype=float)


def _temporal(df: pd.DataFrame, seed: int, test_fraction: float, val_fraction: float) -> np.ndarray:
    when = periods(df)
    if when.isna().any():
        raise InputError(
            f"index.parquet: {int(when.isna().sum())} rows carry no global time order (extra.period; "
            "UCI ingest writes it, FHIR ingest does not yet); use --split grouped for this data set"
        )
    last = when.groupby(df["patient_key"]).max()
    tiebreak = {k: i for i, k in enumerate(_patient_order(df["patient_key"], seed))}
    # latest first: test takes the patients whose last stay is most recent, validation the next ones
    order = sorted(last.index, key=lambda k: (last[k], tiebreak[k]), reverse=True)
    n_test = round(len(order) * test_fraction)
    n_val = round((len(order) - n_test) * val_fraction)
    split_of = {k: "test" for k in order[:n_test]} | {k: "val" for k in order[n_test : n_test + n_val]}
    where = df["patient_key"].map(lambda k: split_of.get(k, "train")).to_numpy(dtype=object)
    for name in ("test", "val"):
        members = where == name
        if members.any():
            start = last[[k for k in order if split_of.get(k) == name]].min()
            where[members & (when.to_numpy() < start)] = UNUSED
    return where


def assign(
    df: pd.DataFrame,
    seed: int,
    test_fraction: float = 0.2,
    val_fraction: float = 0.2,
    method: str = "grouped",
) -> np.ndarray:
    """An array of "train" / "val" / "test" (temporal: also "unused") per row; val is `val_fraction`
    of the non-test patients."""
    if method == "temporal":
        return _temporal(df, seed, test_fraction, val_fraction)
    if method != "grouped":
        raise InputError(f"--split {method!r}: use {' or '.join(repr(m) for m in METHODS)}")
    order = _patient_order(df["patient_key"], seed)
    n_test = round(len(order) * test_fraction)
    test = set(order[:n_test])
    rest = order[n_test:]
    val = set(rest[: round(len(rest) * val_fraction)])
    where = {k: "test" for k in test} | {k: "val" for k in val}
    return df["patient_key"].map(lambda k: where.get(k, "train")).to_numpy(dtype=object)


def subsample(df: pd.DataFrame, max_rows: int | None, seed: int) -> pd.DataFrame:
    """Whole patients, in keyed-hash order, until about `max_rows` rows (tuning trials use this)."""
    if not max_rows or len(df) <= max_rows:
        return df
    sizes = df.groupby("patient_key").size()
    order = _patient_order(df["patient_key"], seed)
    cumulative = sizes.loc[order].cumsum()
    keep = set(cumulative.index[cumulative <= max_rows])
    return df[df["patient_key"].isin(keep)].reset_index(drop=True)
