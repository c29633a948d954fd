"""The other split, side by side: LightGBM refitted on the same rows split the other way.

A full second run would double the training time, so the companion reuses the registered run's feature
spec (label-free vocabularies) and features, refits only LightGBM with the same parameters, and scores it
and LACE on the other split's test rows. The model card labels it as such.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from readmit.errors import InputError
from readmit.evaluation import metrics as m
from readmit.evaluation.lace import lace_score
from readmit.models import lgbm
from readmit.schema import LABEL
from readmit.training import split


def other_method(method: str) -> str:
    return next(x for x in split.METHODS if x != method)


def companion(
    rows: pd.DataFrame, table: pd.DataFrame, method: str, params: dict, seed: int, n_boot: int = 200
) -> dict:
    """Test figures of LightGBM and LACE under `method`, or {"available": False, "reason": ...}."""
    try:
        where = split.assign(rows, seed, method=method)
    except InputError as exc:
        return {"available": False, "reason": str(exc).split("; ")[0]}
    mask = {name: where == name for name in ("train", "val", "test")}
    y = rows[LABEL].to_numpy().astype(int)
    if any(len(np.unique(y[v])) < 2 for v in mask.values()):
        return {"available": False, "reason": "a split has a single label value"}
    booster = lgbm.fit(
        table[mask["train"]], y[mask["train"]], table[mask["val"]], y[mask["val"]], params, seed
    )
    yt, p = y[mask["test"]], lgbm.predict(booster, table[mask["test"]])
    low, high = m.bootstrap_auc_ci(yt, p, n_boot=n_boot, seed=seed)
    return {
        "available": True,
        "lgbm_test_roc_auc": m.auc(yt, p),
        "lgbm_test_roc_auc_ci_low": low,
        "lgbm_test_roc_auc_ci_high": high,
        "lace_test_roc_auc": m.auc(yt, lace_score(rows[mask["test"]])),
        "test_n": int(mask["test"].sum()),
        "test_prevalence": float(yt.mean()),
        "train_n": int(mask["train"].sum()),
    }


def own(doc: dict) -> dict:
    """The registered run's figures in the companion's shape (its LightGBM candidate on its own test)."""
    metrics = doc["metrics"]
    return {
        "available": True,
        "selected_test_roc_auc": metrics["test_roc_auc"],
        "lgbm_test_roc_auc": metrics.get("lgbm_test_roc_auc"),
        "lace_test_roc_auc": metrics.get("lace_test_roc_auc"),
        "test_n": int(metrics["test_n"]),
        "test_prevalence": metrics["test_prevalence"],
    }
