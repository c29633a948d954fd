"""Per-stay explanations in the logit space of the selected model, exact to floating point.

- LightGBM part: native TreeSHAP (`pred_contrib=True`): per-feature contributions plus a bias that sum
  to the booster's raw margin.
- Hybrid: the stacker is a logistic regression on logit(p_lgbm) and logit(p_sequence), so its logit is
  intercept + w_lgbm * margin + w_seq * logit(p_seq). The TreeSHAP terms are scaled by w_lgbm and the
  sequence model enters as ONE named term, w_seq * logit(p_seq).
- Sequence alone: one term, its own logit.

base_value + sum(all terms) == explained_logit. The response keeps the top k terms by |contribution|
and folds the rest into one "other features" term, so the shown terms still add up exactly.
The calibrator is not explained: it is a monotone map applied after the explained logit.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from readmit.models import lgbm
from readmit.models.calibration import logit
from readmit.serving.labels import readable

SEQUENCE_TERM = "sequence_model"
OTHERS_TERM = "other_features"


def decompose(bundle, table: pd.DataFrame, p_seq: np.ndarray) -> dict:
    """Every term for every row: {"base": (n,), "names": [...], "parts": [...], "terms": (n, m),
    "logit": (n,)}; the columns of `terms` are the LightGBM features then the sequence term."""
    n = len(table)
    names, parts, blocks = [], [], []
    base = np.zeros(n)
    seq_weight, lgbm_weight = 0.0, 0.0
    if bundle.selected == "lgbm":
        lgbm_weight = 1.0
    elif bundle.selected == "hybrid":
        w = bundle.stacker.weights
        lgbm_weight, seq_weight, base = w["lgbm"], w["sequence"], base + w["intercept"]
    else:
        seq_weight = 1.0
    if lgbm_weight:
        contrib = lgbm.contributions(bundle.booster, table, bundle.threads)
        blocks.append(lgbm_weight * contrib[:, :-1])
        base = base + lgbm_weight * contrib[:, -1]
        names += list(table.columns)
        parts += ["lightgbm"] * table.shape[1]
    if seq_weight:
        blocks.append((seq_weight * logit(p_seq))[:, None])
        names.append(SEQUENCE_TERM)
        parts.append("sequence")
    terms = np.hstack(blocks) if blocks else np.zeros((n, 0))
    return {"base": base, "names": names, "parts": parts, "terms": terms, "logit": base + terms.sum(axis=1)}


def explained_logit(bundle, candidates: dict[str, np.ndarray]) -> np.ndarray:
    """The logit that `decompose` explains, computed the way the model scores (for tests)."""
    if bundle.selected == "hybrid":
        return bundle.stacker.model.decision_function(
            np.column_stack([logit(candidates["lgbm"]), logit(candidates["sequence"])])
        )
    return logit(candidates[bundle.selected])


def top_terms(parts: dict, table: pd.DataFrame, top_k: int, space: str) -> list[dict]:
    """One JSON-ready explanation per row: base, explained logit, top-k terms and the remainder."""
    out = []
    terms, names = parts["terms"], parts["names"]
    values = table.to_numpy(dtype=float)
    column = {c: k for k, c in enumerate(table.columns)}
    order = np.argsort(-np.abs(terms), axis=1, kind="stable")
    for i in range(len(terms)):
        keep = order[i, :top_k]
        shown = []
        for j in keep:
            name = names[j]
            value = values[i, column[name]] if name in column else None
            shown.append(
                {
                    "feature": name,
                    "label": readable(name),
                    "part": parts["parts"][j],
                    "value": None if value is None or not np.isfinite(value) else float(value),
                    "contribution": float(terms[i, j]),
                }
            )
        rest = float(terms[i].sum() - terms[i, keep].sum())
        if len(names) > top_k:
            shown.append(
                {
                    "feature": OTHERS_TERM,
                    "label": f"all other features ({len(names) - len(keep)})",
                    "part": "lightgbm",
                    "value": None,
                    "contribution": rest,
                }
            )
        out.append(
            {
                "space": space,
                "base_value": float(parts["base"][i]),
                "explained_logit": float(parts["logit"][i]),
                "contributions": shown,
            }
        )
    return out
