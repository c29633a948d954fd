"""Train/validation/test assignment grouped by patient, so no patient is in two splits.

grouped: a keyed hash of (seed, patient_key) orders patients, so membership does not depend on row order.
temporal: patients ordered by their first index admission day; the latest ones are held out.
"""

from __future__ import annotations

import hashlib

import numpy as np
import pandas as pd

from readmit.errors import InputError


def _patient_order(patients: pd.Series, seed: int) -> list[str]:
    unique = sorted(set(patients))
    return sorted(unique, key=lambda k: hashlib.sha256(f"{seed}:{k}".encode()).hexdigest())


def assign(
    df: pd.DataFrame,
    seed: int,
    test_fraction: float = 0.2,
    val_fraction: float = 0.2,
    method: str = "grouped",
) -> np.ndarray:
    """An array of "train" / "val" / "test" per row; val is `val_fraction` of the non-test patients."""
    if method == "grouped":
        order = _patient_order(df["patient_key"], seed)
    elif method == "temporal":
        first = df.groupby("patient_key")["admit_day"].min()
        if first.isna().any():
            raise InputError(
                "index.parquet: admit_day is missing (UCI has no dates); "
                "use --split grouped for this data set"
            )
        # ties broken by the keyed hash, so the order is total and repeatable
        tiebreak = {k: i for i, k in enumerate(_patient_order(df["patient_key"], seed))}
        # latest first: test takes the most recent patients, validation the next most recent
        order = sorted(first.index, key=lambda k: (first[k], tiebreak[k]), reverse=True)
    else:
        raise InputError(f"--split {method!r}: use 'grouped' or 'temporal'")
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
