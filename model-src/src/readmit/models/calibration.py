"""Probability calibration fitted on validation rows only: Platt (logistic on the logit) or isotonic."""

from __future__ import annotations

import numpy as np
from scipy.special import expit
from sklearn.isotonic import IsotonicRegression
from sklearn.linear_model import LogisticRegression

EPS = 1e-6


def logit(p: np.ndarray) -> np.ndarray:
    p = np.clip(np.asarray(p, dtype=np.float64), EPS, 1 - EPS)
    return np.log(p / (1 - p))


def positive_probability(model: LogisticRegression, X: np.ndarray) -> np.ndarray:
    """`model.predict_proba(X)[:, 1]` of a fitted binary LogisticRegression, the same operations
    (X @ coef_.T + intercept_, then expit) without sklearn's per-call input validation, which cost more
    CPU than the arithmetic on a one-stay request."""
    return expit((X @ model.coef_.T + model.intercept_).reshape(-1))


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
            return positive_probability(self.model, logit(scores)[:, None])
        # IsotonicRegression.predict without its input validation: the same clip and fitted interpolation
        scores = np.asarray(scores, dtype=self.model.X_thresholds_.dtype).reshape(-1)
        fitted = self.model.f_(np.clip(scores, self.model.X_min_, self.model.X_max_))
        return fitted.astype(scores.dtype)
