"""Stratified down-sampling to a configured size, so drift tests judge effect sizes, not sample sizes."""

from __future__ import annotations

import pandas as pd

from readmit.schema import LABEL


def strata(rows: pd.DataFrame) -> tuple[str, pd.Series | None]:
    """By calendar month when rows are time-stamped (the inference log), else by label where known."""
    if "ts" in rows.columns:
        months = pd.to_datetime(rows["ts"], utc=True, errors="coerce").dt.strftime("%Y-%m")
        return "month", months.fillna("unknown")
    if LABEL in rows.columns:
        return "label", rows[LABEL].astype("string").fillna("unknown")
    return "none", None


def stratified(rows: pd.DataFrame, size: int, seed: int) -> tuple[pd.DataFrame, dict]:
    """At most `size` rows, each stratum keeping its share; returns (sample, what was done)."""
    by, keys = strata(rows)
    info = {"rows": int(len(rows)), "sampled": int(min(size, len(rows))), "stratified_by": by}
    if len(rows) <= size:
        return rows, info
    if keys is None:
        return rows.sample(n=size, random_state=seed), info
    fraction = size / len(rows)
    picked = rows.groupby(keys.values, dropna=False, group_keys=False).sample(
        frac=fraction, random_state=seed
    )
    info["sampled"] = int(len(picked))
    return picked, info
