"""PNG plots for people: ROC, precision-recall, calibration, and a SHAP summary of the LightGBM part."""

from __future__ import annotations

import warnings
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
from sklearn.metrics import precision_recall_curve, roc_curve


def _save(fig, path: Path) -> Path:
    fig.tight_layout()
    fig.savefig(path, dpi=100, metadata={"Software": None})  # no version stamp: stable bytes
    plt.close(fig)
    return path


def roc(curves: dict[str, tuple[np.ndarray, np.ndarray]], path: Path) -> Path:
    fig, ax = plt.subplots(figsize=(5, 5))
    for name, (y, p) in curves.items():
        fpr, tpr, _ = roc_curve(y, p)
        ax.plot(fpr, tpr, label=name)
    ax.plot([0, 1], [0, 1], "k:", lw=1)
    ax.set(xlabel="false positive rate", ylabel="true positive rate", title="ROC (test)")
    ax.legend(loc="lower right")
    return _save(fig, path)


def precision_recall(curves: dict[str, tuple[np.ndarray, np.ndarray]], path: Path) -> Path:
    fig, ax = plt.subplots(figsize=(5, 5))
    for name, (y, p) in curves.items():
        precision, recall, _ = precision_recall_curve(y, p)
        ax.plot(recall, precision, label=name)
    ax.set(xlabel="recall", ylabel="precision", title="Precision-recall (test)")
    ax.legend(loc="upper right")
    return _save(fig, path)


def calibration(y: np.ndarray, p: np.ndarray, path: Path, bins: int = 10) -> Path:
    edges = np.quantile(p, np.linspace(0, 1, bins + 1))
    which = np.clip(np.searchsorted(edges, p, side="right") - 1, 0, bins - 1)
    mean_p = [p[which == b].mean() for b in range(bins) if (which == b).any()]
    mean_y = [y[which == b].mean() for b in range(bins) if (which == b).any()]
    fig, ax = plt.subplots(figsize=(5, 5))
    top = max(max(mean_p, default=0.1), max(mean_y, default=0.1)) * 1.1
    ax.plot([0, top], [0, top], "k:", lw=1)
    ax.plot(mean_p, mean_y, "o-")
    ax.set(
        xlabel="predicted risk (decile mean)", ylabel="observed readmission rate", title="Calibration (test)"
    )
    return _save(fig, path)


def shap_summary(booster, X, path: Path, max_rows: int = 2000) -> tuple[Path, list[tuple[str, float]]]:
    """SHAP beeswarm of the LightGBM part; also returns features ranked by mean |SHAP|."""
    import shap

    sample = X.iloc[:max_rows]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # shap's notes on its own output format and numpy's global RNG
        values = shap.TreeExplainer(booster).shap_values(sample)
        values = values[1] if isinstance(values, list) else values
        shap.summary_plot(values, sample, show=False, max_display=15, rng=np.random.default_rng(0))
    fig = plt.gcf()
    ranking = sorted(zip(X.columns, np.abs(values).mean(axis=0), strict=True), key=lambda t: -t[1])
    return _save(fig, path), [(name, float(v)) for name, v in ranking]
