"""Index-encounter features beyond counts: diagnosis codes at several granularities, the admission path
(acuity x source x discharge disposition) and the direction of medication changes.

Categorical values are returned as text; `build.fit_spec` keeps a vocabulary of the frequent ones from
training rows and LightGBM treats the coded columns (`cat_*`) with its native categorical handling, so no
target statistic is computed and nothing can leak from labels.
"""

from __future__ import annotations

import re

CATEGORICAL = ("dx1", "dx1_3", "dx2_3", "dx3_3", "admission_path", "specialty")
DIRECTIONS = ("Up", "Down", "Steady")


def _category(code: str) -> str:
    """ICD-9 "250.83" -> "250", "V57.1" -> "V57", "E888" -> "E888"; ICD-10 "E11.65" -> "E11"."""
    code = code.strip().upper()
    if code.startswith("E") and re.fullmatch(r"E\d{3}.*", code):  # ICD-9 external cause
        return code[:4]
    return code.split(".")[0][:3]


def categories(record: dict, dx: list[str], extra: dict) -> dict[str, str | None]:
    def at(i: int) -> str | None:
        return _category(dx[i]) if len(dx) > i else None

    source = extra.get("admission_source_id")
    return {
        "dx1": dx[0].strip().upper() if dx else None,
        "dx1_3": at(0),
        "dx2_3": at(1),
        "dx3_3": at(2),
        "admission_path": (
            f"{record.get('admission_acuity')}|{'' if source is None else source}|"
            f"{record.get('discharge_disposition')}"
        ),
        "specialty": None if extra.get("medical_specialty") is None else str(extra["medical_specialty"]),
    }


def medication_changes(extra: dict) -> dict[str, float]:
    """Counts of drugs raised, lowered and kept, and insulin's direction (+1 / -1 / 0, NaN if none)."""
    status = extra.get("med_status") if isinstance(extra.get("med_status"), dict) else {}
    out = {f"med_n_{d.lower()}": float(sum(v == d for v in status.values())) for d in DIRECTIONS}
    insulin = status.get("insulin")
    out["med_insulin_direction"] = {"Up": 1.0, "Down": -1.0, "Steady": 0.0}.get(insulin, float("nan"))
    return out
