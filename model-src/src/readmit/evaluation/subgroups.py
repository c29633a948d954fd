"""The same metrics per subgroup (sex, age band, race) and the largest AUC gap between subgroups."""

from __future__ import annotations

import numpy as np
import pandas as pd

from readmit.evaluation.metrics import at_threshold, auc, ece

ATTRIBUTES = ("sex", "age_band", "race")
MIN_ROWS = 200  # smaller groups get no AUC: with fewer events its CI is wider than any gate ceiling
MIN_POSITIVES = 30


def subgroup_table(groups: pd.DataFrame, y: np.ndarray, p: np.ndarray, threshold: float) -> list[dict]:
    rows = []
    for attribute in ATTRIBUTES:
        values = groups[attribute].fillna("unknown").astype(str).to_numpy()
        for value in sorted(set(values)):
            mask = values == value
            yy, pp = y[mask], p[mask]
            rated = mask.sum() >= MIN_ROWS and MIN_POSITIVES <= yy.sum() <= len(yy) - MIN_POSITIVES
            rows.append(
                {
                    "attribute": attribute,
                    "group": value,
                    "n": int(mask.sum()),
                    "positives": int(yy.sum()),
                    "roc_auc": auc(yy, pp) if rated else None,
                    "ece": ece(yy, pp) if len(yy) else None,
                    **at_threshold(yy, pp, threshold),
                }
            )
    return rows


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
