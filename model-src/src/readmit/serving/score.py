"""The runtime's pure core: validated rows -> risk, band and (optionally) explanation per stay.

Scoring is the registered bundle's own `score` (the same code `readmit evaluate` runs); this module
only adds bands and explanations on top of the features it computed once.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from readmit.serving import explain
from readmit.serving.contract import RuntimeConfig, band


def space(bundle) -> str:
    return {"hybrid": "stacker_logit", "lgbm": "lightgbm_logit"}.get(bundle.selected, "sequence_logit")


def score(bundle, rows: pd.DataFrame, config: RuntimeConfig, with_explanation: bool) -> dict:
    """{"readmission_risk": (n,), "risk_band": [...], "explanation": [...] or None}."""
    rows = rows.reset_index(drop=True)
    features = bundle.features(rows)
    risk = np.asarray(bundle.score(rows, features), dtype=np.float64)
    out = {
        "readmission_risk": risk,
        "risk_band": [band(float(r), config.thresholds) for r in risk],
        "explanation": None,
    }
    if with_explanation:
        p_seq = bundle.candidates(rows, features)["sequence"] if bundle.selected != "lgbm" else None
        parts = explain.decompose(bundle, features[0], p_seq)
        out["explanation"] = explain.top_terms(parts, features[0], config.top_k, space(bundle))
    return out
