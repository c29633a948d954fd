"""Probability calibration fitted on validation rows only: Platt (logistic on the logit) or isotonic."""

from __future__ import annotations

import numpy as np
from sklearn.isotonic import IsotonicRegression
from sklearn.linear_model import LogisticRegression

EPS = 1e-6


def logit(p: np.ndarray) -> np.ndarray:
    p = np.clip(np.asarray(p, dtype=np.float64), EPS, 1 - EPS)
    return np.log(p / (1 - p))


class Calibrator:
    def __init__(self, method: str = "platt"):
        if method not in ("platt", "isotonic"):
            raise ValueError(f"calibration method {method!r}: use 'platt' or 'isotonic'")
        self.method = method
        self.model = None

    def fit(self, scores: np.ndarray, y: np.ndarray) -> Calibrator:
        if self.method == "platt":
            self.model = LogisticRegression(C=1e6, max_iter=1000).fit(logit(scores)[:, None], y)
        else:
            self.model = IsotonicRegression(out_of_bounds="clip", y_min=EPS, y_max=1 - EPS).fit(scores, y)
        return self

    def predict(self, scores: np.ndarray) -> np.ndarray:
        if self.method == "platt":
            return self.model.predict_proba(logit(scores)[:, None])[:, 1]
        return self.model.predict(np.asarray(scores, dtype=np.float64))
