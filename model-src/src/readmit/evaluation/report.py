"""metrics.json content: the flat gate metrics per split, subgroups, LACE and the candidates side by side."""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.metrics import average_precision_score

from readmit.evaluation import metrics as m
from readmit.evaluation.lace import lace_score
from readmit.evaluation.subgroups import fairness
from readmit.models.bundle import ModelBundle
from readmit.schema import LABEL


def split_report(
    bundle: ModelBundle, df: pd.DataFrame, name: str, seed: int, n_boot: int = 200, features=None
) -> dict:
    """Metrics of the registered (selected, calibrated) model and each raw candidate on one split."""
    features = features if features is not None else bundle.features(df)
    y = df[LABEL].to_numpy().astype(int)
    raw = bundle.candidates(df, features)
    p = bundle.score(df, features)
    fair = fairness(df, y, p, bundle.threshold, n_boot, seed)
    lace = lace_score(df)
    flat = {f"{name}_{k}": v for k, v in m.evaluate(y, p, bundle.threshold, seed, n_boot).items()}
    flat[f"{name}_subgroup_auc_gap"] = fair["gap"]
    flat[f"{name}_subgroup_auc_gap_ci_low"] = fair["gap_ci_low"]
    flat[f"{name}_subgroup_auc_gap_ci_high"] = fair["gap_ci_high"]
    flat[f"{name}_subgroup_attributes_compared"] = float(fair["attributes_compared"])
    flat |= {f"{c}_{name}_roc_auc": m.auc(y, raw[c]) for c in raw}
    flat[f"lace_{name}_roc_auc"] = m.auc(y, lace)
    flat[f"lace_{name}_auprc"] = float(average_precision_score(y, lace)) if len(np.unique(y)) == 2 else np.nan
    return {
        "metrics": flat,
        "subgroups": fair["table"],
        "scores": {"y": y, "p": p, "lace": lace, **raw},
        "features": features,
    }


def metrics_document(bundle: ModelBundle, reports: dict[str, dict], val_auc: dict[str, float]) -> dict:
    flat: dict[str, float] = {}
    for report in reports.values():
        flat |= report["metrics"]
    # selection used the cross-fitted hybrid AUC on validation; report that same figure
    flat |= {f"{c}_val_roc_auc": float(v) for c, v in val_auc.items()}
    splits = list(reports)
    return {
        "metrics": {k: float(v) for k, v in sorted(flat.items())},
        "subgroups": {s: reports[s]["subgroups"] for s in splits},
        "lace": {
            s: {"roc_auc": flat.get(f"lace_{s}_roc_auc"), "auprc": flat.get(f"lace_{s}_auprc")}
            for s in splits
        },
        "models": {
            c: {f"{s}_roc_auc": flat.get(f"{c}_{s}_roc_auc") for s in splits}
            for c in ("lgbm", "sequence", "hybrid")
        },
        "selected": bundle.selected,
        "threshold": float(bundle.threshold),
        "threshold_target": bundle.threshold_target,
        "hybrid_weights": bundle.stacker.weights if bundle.stacker is not None else None,
    }
