"""The runtime's pure core: validated rows -> risk, band and (optionally) explanation per stay.

Scoring is the registered bundle's own `candidates` and `calibrate`, the two steps of its `score` (the
code `readmit evaluate` runs), kept apart here so the explanation reuses the raw sequence probability;
this module only adds bands and explanations on top of the features it computed once.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from readmit.features.columns import Columns
from readmit.serving import explain
from readmit.serving.contract import RuntimeConfig, band


def space(bundle) -> str:
    return {"hybrid": "stacker_logit", "lgbm": "lightgbm_logit"}.get(bundle.selected, "sequence_logit")


def score(bundle, rows: pd.DataFrame | Columns, config: RuntimeConfig, with_explanation: bool) -> dict:
    """{"readmission_risk": (n,), "risk_band": [...], "explanation": [...] or None}."""
    if isinstance(rows, pd.DataFrame):
        rows = rows.reset_index(drop=True)
    features = bundle.features(rows, steps=bundle.selected != "lgbm")
    raw = bundle.candidates(rows, features, (bundle.selected,))
    risk = np.asarray(bundle.calibrate(raw[bundle.selected]), dtype=np.float64)
    out = {
        "readmission_risk": risk,
        "risk_band": [band(float(r), config.thresholds) for r in risk],
        "explanation": None,
    }
    if with_explanation:
        parts = explain.decompose(bundle, features[0], raw.get("sequence"))
        out["explanation"] = explain.top_terms(parts, features[0], config.top_k, space(bundle))
    return out
