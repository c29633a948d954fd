"""The same metrics per subgroup (sex, age band, race), each rated group's AUC with a bootstrap 95%
interval, and the largest AUC gap between groups of one attribute with its own interval.

Age is rated on the fixed bands of readmit.evaluation.bands; a band that cannot be mapped onto one of
them stays in the table as "unmapped: <band>" and is never rated. The gap's interval comes from the
same resamples as the groups' intervals: per resample, the largest minus the smallest AUC over the groups
rated on the full split.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from readmit.evaluation.bands import RATING_BANDS, UNMAPPED_PREFIX, rating_group
from readmit.evaluation.metrics import at_threshold, auc, ece
from readmit.evaluation.resample import WeightedAUC, percentile_interval, replicate_counts

ATTRIBUTES = ("sex", "age_band", "race")
MIN_ROWS = 200  # smaller groups get no AUC: with fewer events its CI is wider than any gate ceiling
MIN_POSITIVES = 30
__all__ = ["RATING_BANDS", "UNMAPPED_PREFIX", "fairness", "subgroup_table", "max_auc_gap"]


def group_labels(groups: pd.DataFrame, attribute: str) -> np.ndarray:
    values = groups[attribute].fillna("unknown").astype(str)
    if attribute == "age_band":
        values = values.map(rating_group)
    return values.to_numpy()


def _rated(mask: np.ndarray, y: np.ndarray, label: str) -> bool:
    n, events = int(mask.sum()), int(y[mask].sum())
    return (
        not label.startswith(UNMAPPED_PREFIX)
        and n >= MIN_ROWS
        and MIN_POSITIVES <= events <= n - MIN_POSITIVES
    )


def fairness(
    groups: pd.DataFrame, y: np.ndarray, p: np.ndarray, threshold: float, n_boot: int = 200, seed: int = 0
) -> dict:
    """{"table": rows per group, "gap", "gap_ci_low", "gap_ci_high", "attributes_compared"}."""
    y, p = np.asarray(y, dtype=int), np.asarray(p, dtype=np.float64)
    counts = replicate_counts(len(y), n_boot, seed) if n_boot else np.zeros((0, len(y)))
    rows, replicate_aucs = [], {}
    for attribute in ATTRIBUTES:
        labels = group_labels(groups, attribute)
        for value in sorted(set(labels)):
            mask = labels == value
            yy, pp = y[mask], p[mask]
            row = {"attribute": attribute, "group": value, "n": int(mask.sum()), "positives": int(yy.sum())}
            row |= {"roc_auc": None, "roc_auc_ci_low": None, "roc_auc_ci_high": None}
            if _rated(mask, y, value):
                weighted = WeightedAUC(yy, pp)
                draws = np.array([weighted(c[mask]) for c in counts])
                replicate_aucs[(attribute, value)] = draws
                low, high = percentile_interval(draws)
                row |= {"roc_auc": auc(yy, pp), "roc_auc_ci_low": low, "roc_auc_ci_high": high}
            row |= {"ece": ece(yy, pp) if len(yy) else None, **at_threshold(yy, pp, threshold)}
            rows.append(row)
    gap_draws = np.zeros(len(counts))
    for attribute in ATTRIBUTES:
        mine = [v for (a, _), v in replicate_aucs.items() if a == attribute]
        if len(mine) > 1:
            stacked = np.vstack(mine)
            gap_draws = np.fmax(gap_draws, np.nanmax(stacked, axis=0) - np.nanmin(stacked, axis=0))
    low, high = percentile_interval(gap_draws) if len(gap_draws) else (float("nan"), float("nan"))
    return {
        "table": rows,
        "gap": max_auc_gap(rows),
        "gap_ci_low": low,
        "gap_ci_high": high,
        "attributes_compared": attributes_compared(rows),
    }


def subgroup_table(groups: pd.DataFrame, y: np.ndarray, p: np.ndarray, threshold: float) -> list[dict]:
    """The per-group rows without intervals."""
    return fairness(groups, y, p, threshold, n_boot=0)["table"]


def attributes_compared(table: list[dict]) -> int:
    """How many attributes have two or more rated groups, i.e. how many gaps were actually measured:
    a gap of 0 means "fair" only when this is at least 1."""
    return sum(
        len([r for r in table if r["attribute"] == attribute and r["roc_auc"] is not None]) > 1
        for attribute in ATTRIBUTES
    )


def max_auc_gap(table: list[dict]) -> float:
    """Largest difference between two rated subgroups of the same attribute (0 when none is comparable)."""
    gap = 0.0
    for attribute in ATTRIBUTES:
        aucs = [r["roc_auc"] for r in table if r["attribute"] == attribute and r["roc_auc"] is not None]
        if len(aucs) > 1:
            gap = max(gap, max(aucs) - min(aucs))
    return float(gap)
