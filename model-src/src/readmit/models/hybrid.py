"""Stacking of LightGBM and the sequence model: a logistic regression on both logits, fitted on
validation rows only. Its validation AUC is cross-fitted (2 patient-grouped folds) so that comparing
it with the single models on validation is fair."""

from __future__ import annotations

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score

from readmit.models.calibration import logit, positive_probability


class Stacker:
    def fit(self, p_lgbm: np.ndarray, p_seq: np.ndarray, y: np.ndarray) -> Stacker:
        self.model = LogisticRegression(C=1e6, max_iter=1000).fit(_design(p_lgbm, p_seq), y)
        return self

    def predict(self, p_lgbm: np.ndarray, p_seq: np.ndarray) -> np.ndarray:
        return positive_probability(self.model, _design(p_lgbm, p_seq))

    @property
    def weights(self) -> dict[str, float]:
        return {
            "lgbm": float(self.model.coef_[0][0]),
            "sequence": float(self.model.coef_[0][1]),
            "intercept": float(self.model.intercept_[0]),
        }


def _design(p_lgbm, p_seq) -> np.ndarray:
    return np.column_stack([logit(p_lgbm), logit(p_seq)])


def crossfit_auc(p_lgbm: np.ndarray, p_seq: np.ndarray, y: np.ndarray, fold: np.ndarray) -> float:
    """AUC of out-of-fold stacked predictions; `fold` is 0/1 per row, constant within a patient."""
    out = np.zeros(len(y))
    for k in (0, 1):
        train, test = fold != k, fold == k
        if len(np.unique(y[train])) < 2 or not test.any():
            return float("nan")
        out[test] = Stacker().fit(p_lgbm[train], p_seq[train], y[train]).predict(p_lgbm[test], p_seq[test])
    return float(roc_auc_score(y, out))
