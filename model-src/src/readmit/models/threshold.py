"""The decision threshold: the best precision among thresholds whose recall meets a target, on validation."""

from __future__ import annotations

import numpy as np
from sklearn.metrics import precision_recall_curve

TARGET = {"metric": "recall", "min": 0.6, "then": "max precision"}


def choose(y: np.ndarray, p: np.ndarray, min_recall: float = 0.6) -> float:
    precision, recall, thresholds = precision_recall_curve(y, p)
    # precision/recall have one more entry than thresholds (the recall=0 end point); drop it.
    ok = recall[:-1] >= min_recall
    if not ok.any():
        return float(thresholds.min())
    best = np.flatnonzero(ok)[np.argmax(precision[:-1][ok])]
    return float(thresholds[best])
