"""Small statistics shared by the canary comparison and realised performance (pure numpy)."""

from __future__ import annotations

import math

import numpy as np
from sklearn.metrics import average_precision_score

from readmit.evaluation import metrics

Z95 = 1.959963984540054


def wilson(successes: int, n: int, z: float = Z95) -> tuple[float, float]:
    """95% Wilson score interval of a proportion (sound at 0 events and small n)."""
    if n == 0:
        return 0.0, 1.0
    p = successes / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return max(0.0, centre - half), min(1.0, centre + half)


def psi(expected: np.ndarray, actual: np.ndarray, bins: int = 10, floor: float = 1e-4) -> float:
    """Population stability index of `actual` against `expected`, on the expected sample's deciles."""
    expected, actual = np.asarray(expected, float), np.asarray(actual, float)
    edges = np.unique(np.quantile(expected, np.linspace(0, 1, bins + 1)))
    if len(edges) < 2:
        return 0.0 if np.allclose(actual, expected[0]) else math.inf
    edges[0], edges[-1] = -np.inf, np.inf
    e = np.maximum(np.histogram(expected, edges)[0] / len(expected), floor)
    a = np.maximum(np.histogram(actual, edges)[0] / len(actual), floor)
    return float(np.sum((a - e) * np.log(a / e)))


def p99(values) -> float:
    return float(np.percentile(np.asarray(values, float), 99)) if len(values) else math.nan


# Bootstrapped per window (cheap); the calibration slope and intercept refit a logistic model, so they
# are reported as point estimates (CALIBRATION) beside the card's.
METRICS = {
    "roc_auc": metrics.auc,
    "auprc": average_precision_score,
    "ece": metrics.ece,
}
CALIBRATION = {
    "calibration_slope": lambda y, p: metrics.calibration_slope_intercept(y, p)[0],
    "calibration_intercept": lambda y, p: metrics.calibration_slope_intercept(y, p)[1],
}


def bootstrap(y, p, metric, rounds: int = 200, seed: int = 0) -> tuple[float, float, float]:
    """(point, low, high): the metric and its 95% percentile bootstrap interval over stays."""
    y, p = np.asarray(y, int), np.asarray(p, float)
    point = float(metric(y, p))
    rng = np.random.default_rng(seed)
    draws = []
    for _ in range(rounds):
        idx = rng.integers(0, len(y), len(y))
        if 0 < y[idx].sum() < len(idx):
            draws.append(float(metric(y[idx], p[idx])))
    if not draws:
        return point, math.nan, math.nan
    low, high = np.percentile(draws, [2.5, 97.5])
    return point, float(low), float(high)
