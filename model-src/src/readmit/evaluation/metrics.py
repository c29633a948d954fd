"""Discrimination with a bootstrap CI, threshold metrics, and calibration (Brier, slope, intercept, ECE)."""

from __future__ import annotations

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import average_precision_score, brier_score_loss, roc_auc_score

from readmit.models.calibration import logit


def auc(y: np.ndarray, p: np.ndarray) -> float:
    return float(roc_auc_score(y, p)) if len(np.unique(y)) == 2 else float("nan")


def bootstrap_auc_ci(y: np.ndarray, p: np.ndarray, n_boot: int = 200, seed: int = 0) -> tuple[float, float]:
    """Percentile 95% CI of the ROC-AUC over rows resampled with replacement (seeded: repeatable)."""
    rng = np.random.default_rng(seed)
    values = []
    for _ in range(n_boot):
        idx = rng.integers(0, len(y), len(y))
        if len(np.unique(y[idx])) == 2:
            values.append(roc_auc_score(y[idx], p[idx]))
    if not values:
        return float("nan"), float("nan")
    return float(np.percentile(values, 2.5)), float(np.percentile(values, 97.5))


def calibration_slope_intercept(y: np.ndarray, p: np.ndarray) -> tuple[float, float]:
    """Logistic recalibration y ~ a + b*logit(p): slope b (1 = ideal), intercept a (0 = ideal)."""
    if len(np.unique(y)) < 2:
        return float("nan"), float("nan")
    model = LogisticRegression(C=1e6, max_iter=1000).fit(logit(p)[:, None], y)
    return float(model.coef_[0][0]), float(model.intercept_[0])


def ece(y: np.ndarray, p: np.ndarray, bins: int = 10) -> float:
    """Expected calibration error over equal-width probability bins, weighted by bin size."""
    which = np.minimum((np.asarray(p) * bins).astype(int), bins - 1)
    total = 0.0
    for b in range(bins):
        mask = which == b
        if mask.any():
            total += mask.mean() * abs(y[mask].mean() - p[mask].mean())
    return float(total)


def at_threshold(y: np.ndarray, p: np.ndarray, threshold: float) -> dict[str, float]:
    flag = p >= threshold
    tp = float((flag & (y == 1)).sum())
    precision = tp / flag.sum() if flag.sum() else 0.0
    recall = tp / (y == 1).sum() if (y == 1).sum() else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": precision, "recall": recall, "f1": f1}


def evaluate(y: np.ndarray, p: np.ndarray, threshold: float, seed: int = 0, n_boot: int = 200) -> dict:
    y, p = np.asarray(y, dtype=int), np.asarray(p, dtype=np.float64)
    low, high = bootstrap_auc_ci(y, p, n_boot=n_boot, seed=seed)
    slope, intercept = calibration_slope_intercept(y, p)
    two_classes = len(np.unique(y)) == 2
    return {
        "roc_auc": auc(y, p),
        "roc_auc_ci_low": low,
        "roc_auc_ci_high": high,
        "auprc": float(average_precision_score(y, p)) if two_classes else float("nan"),
        **at_threshold(y, p, threshold),
        "brier": float(brier_score_loss(y, p)),
        "calibration_slope": slope,
        "calibration_intercept": intercept,
        "ece": ece(y, p),
        "n": float(len(y)),
        "prevalence": float(y.mean()) if len(y) else float("nan"),
    }
