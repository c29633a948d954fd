"""The human- and gate-readable outputs of a run: metrics.json, plots/*.png, MODEL_CARD.md."""

from __future__ import annotations

import json
from pathlib import Path

from readmit import model_card
from readmit.atomic import write_text
from readmit.evaluation import plots


def write(directory: Path, doc: dict, test_report: dict, bundle, test_features, context: dict) -> dict:
    """Write everything into `directory`; returns `context` completed with the SHAP top features."""
    s = test_report["scores"]
    plot_dir = Path(directory) / "plots"
    plot_dir.mkdir(parents=True, exist_ok=True)
    curves = {f"{bundle.selected} (registered)": (s["y"], s["p"]), "LACE": (s["y"], s["lace"])}
    curves |= {c: (s["y"], s[c]) for c in ("lgbm", "sequence", "hybrid") if c != bundle.selected and c in s}
    plots.roc(curves, plot_dir / "roc.png")
    plots.precision_recall(curves, plot_dir / "pr.png")
    plots.calibration(s["y"], s["p"], plot_dir / "calibration.png")
    _, ranking = plots.shap_summary(bundle.booster, test_features, plot_dir / "shap_lgbm.png")
    context = {**context, "top_features": ranking[:15]}
    doc = {**doc, "top_features": [{"feature": n, "mean_abs_shap": v} for n, v in ranking[:15]]}
    write_text(Path(directory) / "metrics.json", json.dumps(doc, indent=2, sort_keys=True, default=_plain))
    write_text(Path(directory) / "MODEL_CARD.md", model_card.render(doc, context))
    return context


def _plain(value):
    if hasattr(value, "item"):
        return value.item()
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")
