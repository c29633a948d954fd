"""LightGBM on the tabular + aggregated-history features, pinned to be bit-for-bit repeatable."""

from __future__ import annotations

import lightgbm as lgb
import numpy as np
import pandas as pd

from readmit.features.build import CATEGORICAL_PREFIX

DEFAULTS = {
    "learning_rate": 0.05,
    "num_leaves": 31,
    "min_child_samples": 50,
    "feature_fraction": 0.8,
    "bagging_fraction": 0.8,
    "lambda_l2": 1.0,
    "lambda_l1": 0.0,  # LightGBM's own default, listed so that `readmit tune` can search it
    "path_smooth": 0.0,  # likewise
    "num_boost_round": 1000,  # a ceiling: early stopping on validation ends boosting long before it
}


def fit(
    X: pd.DataFrame,
    y: np.ndarray,
    X_val: pd.DataFrame,
    y_val: np.ndarray,
    params: dict,
    seed: int,
    threads: int = 2,
) -> lgb.Booster:
    """Early-stops on the validation split (never on test); `params` overrides DEFAULTS."""
    merged = {**DEFAULTS, **{k: v for k, v in params.items() if k in DEFAULTS}}
    rounds = int(merged.pop("num_boost_round"))
    config = {
        **merged,
        "objective": "binary",
        "metric": "auc",
        "bagging_freq": 1,
        "seed": seed,
        "deterministic": True,
        "force_row_wise": True,
        "num_threads": threads,
        "verbosity": -1,
    }
    # coded categorical columns (build.CATEGORICAL_PREFIX) use LightGBM's native categorical splits
    categorical = [c for c in X.columns if c.startswith(CATEGORICAL_PREFIX)] or "auto"
    train_set = lgb.Dataset(X, label=y, free_raw_data=False, categorical_feature=categorical)
    val_set = lgb.Dataset(X_val, label=y_val, reference=train_set)
    return lgb.train(
        config,
        train_set,
        num_boost_round=rounds,
        valid_sets=[val_set],
        callbacks=[lgb.early_stopping(50, verbose=False)],
    )


def predict(booster: lgb.Booster, X: pd.DataFrame, threads: int | None = None) -> np.ndarray:
    """Probabilities; `threads` overrides the training thread count (rows are scored independently,
    so the result does not depend on it)."""
    return _predict(booster, X, threads)


def contributions(booster: lgb.Booster, X: pd.DataFrame, threads: int | None = None) -> np.ndarray:
    """TreeSHAP, (rows, features + 1): each feature's contribution to the raw margin, then the bias;
    `threads` as in `predict` (with more threads than rows OpenMP's idle spinning costs far more CPU
    than the one row's TreeSHAP)."""
    return _predict(booster, X, threads, pred_contrib=True)


def _predict(booster: lgb.Booster, X: pd.DataFrame, threads: int | None, **kind) -> np.ndarray:
    extra = {"num_threads": threads} if threads else {}
    # the float matrix itself: LightGBM's pandas path (per-column dtype checks) dominated one-row requests;
    # the columns are floats in the training order (features.build), so the results are the same
    values = X.to_numpy(dtype=np.float64) if isinstance(X, pd.DataFrame) else X
    return booster.predict(values, num_iteration=booster.best_iteration or None, **extra, **kind)
