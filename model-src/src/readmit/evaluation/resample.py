"""Bootstrap replicates as row counts, and an AUC that takes counts as weights.

One set of replicates serves every subgroup, so a group's interval and the gap's interval come from the
same resamples. Scores are sorted once per group; each replicate is then a weighted sum, O(n).
"""

from __future__ import annotations

import numpy as np


def replicate_counts(n_rows: int, n_boot: int, seed: int) -> np.ndarray:
    """(n_boot, n_rows) how often each row is drawn in each resample (rows drawn with replacement)."""
    rng = np.random.default_rng(seed)
    out = np.empty((n_boot, n_rows), dtype=np.float64)
    for b in range(n_boot):
        out[b] = np.bincount(rng.integers(0, n_rows, n_rows), minlength=n_rows)
    return out


class WeightedAUC:
    """ROC-AUC of fixed (y, p) under many weight vectors; ties count one half, as in roc_auc_score."""

    def __init__(self, y: np.ndarray, p: np.ndarray):
        self.y = np.asarray(y, dtype=np.float64)
        _, self.rank = np.unique(np.asarray(p, dtype=np.float64), return_inverse=True)
        self.levels = int(self.rank.max()) + 1 if len(self.rank) else 0

    def __call__(self, weights: np.ndarray) -> float:
        pos = np.bincount(self.rank, weights=weights * self.y, minlength=self.levels)
        neg = np.bincount(self.rank, weights=weights * (1 - self.y), minlength=self.levels)
        total_pos, total_neg = pos.sum(), neg.sum()
        if total_pos == 0 or total_neg == 0:
            return float("nan")
        below = np.cumsum(neg) - neg  # negatives scored strictly lower
        return float((pos * (below + 0.5 * neg)).sum() / (total_pos * total_neg))


def percentile_interval(values: np.ndarray) -> tuple[float, float]:
    finite = values[np.isfinite(values)]
    if not len(finite):
        return float("nan"), float("nan")
    return float(np.percentile(finite, 2.5)), float(np.percentile(finite, 97.5))
