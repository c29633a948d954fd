"""`readmit monitor performance`: the I/O shell around `performance.realised`."""

from __future__ import annotations

import json
from pathlib import Path

import matplotlib.pyplot as plt

from readmit import registry
from readmit.atomic import atomic_dir, write_text
from readmit.errors import InputError
from readmit.monitoring import performance, sources
from readmit.monitoring.htmlpage import page, png

CARD_METRICS = ("roc_auc", "auprc", "calibration_slope", "calibration_intercept", "ece")


def card_figures(version: str) -> dict[str, float]:
    """The model card's held-out test figures: the registered version's test_* metrics."""
    metrics = registry.version_info(version).metrics
    return {m: float(metrics[f"test_{m}"]) for m in CARD_METRICS if f"test_{m}" in metrics}


def _plot(result: dict) -> str:
    fig, ax = plt.subplots(figsize=(7, 3.5))
    labels = [k for k, w in result["windows"].items() if w["sufficient"]]
    values = [result["windows"][k]["metrics"]["roc_auc"] for k in labels]
    ax.errorbar(
        range(len(labels)),
        [v["value"] for v in values],
        yerr=[[v["value"] - v["low"] for v in values], [v["high"] - v["value"] for v in values]],
        fmt="o",
        label="realised ROC-AUC (95% CI)",
    )
    if result["card"].get("roc_auc") is not None:
        ax.axhline(result["card"]["roc_auc"], color="k", ls=":", label="model card (test)")
    ax.set_xticks(range(len(labels)), labels, rotation=30)
    ax.set(ylabel="ROC-AUC", title=f"Realised ROC-AUC per {result['window']}")
    ax.legend()
    return png(fig)


def run(
    predictions: Path, outcomes: Path, out: Path, window: str = "week", version: str | None = None
) -> dict:
    rows = sources.scored(Path(predictions))
    if version is not None:
        rows = rows[rows["version"] == str(version)]
    if rows.empty:
        raise InputError(f"{predictions}: no scored stays" + (f" of version {version}" if version else ""))
    version = version or rows["version"].value_counts().idxmax()
    result = performance.realised(rows, sources.outcomes(Path(outcomes)), card_figures(version), window)
    result["model_version"] = version
    text = performance.markdown(result, version)
    with atomic_dir(Path(out)) as tmp:
        write_text(tmp / "performance.json", json.dumps(result, indent=2, sort_keys=True) + "\n")
        write_text(tmp / "performance.md", text)
        write_text(tmp / "performance.html", page("Realised performance", text, [_plot(result)]))
    return result
