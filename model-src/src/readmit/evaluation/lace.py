"""The LACE index (van Walraven 2010): Length of stay, Acuity, Comorbidity (Charlson), ED visits.

Scored on the same rows as the models, so every model is compared with what hospitals use today.
ED visits use `prior_emergency_365d` (the contract has no 6-month count), capped at 4 as in LACE.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd

from readmit.features.charlson import charlson_index


def _length_points(days: float) -> int:
    if not np.isfinite(days) or days < 1:
        return 0
    if days < 4:
        return int(days)
    if days < 7:
        return 4
    return 5 if days < 14 else 7


def _comorbidity_points(charlson: int) -> int:
    return charlson if charlson < 4 else 5


def lace_score(df: pd.DataFrame) -> np.ndarray:
    scores = []
    for row in df[
        ["los_days", "admission_acuity", "dx_codes", "dx_system", "prior_emergency_365d"]
    ].itertuples():
        codes = json.loads(row.dx_codes) if isinstance(row.dx_codes, str) else []
        ed = row.prior_emergency_365d if np.isfinite(row.prior_emergency_365d) else 0
        scores.append(
            _length_points(float(row.los_days))
            + 3 * (row.admission_acuity == "emergency")
            + _comorbidity_points(charlson_index(codes, row.dx_system or "icd10"))
            + min(int(ed), 4)
        )
    return np.asarray(scores, dtype=np.float64)
