"""The V2 inference contract of the readmission runtime: input tensors, closed sets, ranges, outputs and
the runtime settings carried in `model-settings.json` (`parameters.extra`).

Inputs are the raw index fields ingest writes (readmit.schema.INDEX_COLUMNS without the label), one
tensor per field, shape [n] for n stays. Closed sets and ranges follow the comments in readmit.schema.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from readmit.schema import INDEX_COLUMNS, LABEL

V2_DATATYPE = {"str": "BYTES", "json": "BYTES", "int": "INT64", "float": "FP64"}
INPUTS: dict[str, str] = {name: V2_DATATYPE[kind] for name, kind in INDEX_COLUMNS.items() if name != LABEL}
KEYS = ("patient_key", "encounter_key")

OUTPUTS: dict[str, str] = {"readmission_risk": "FP64", "risk_band": "BYTES", "explanation": "BYTES"}
BANDS = ("low", "medium", "high")

CLOSED_SETS: dict[str, tuple[str, ...]] = {
    "source": ("fhir", "uci"),
    "sex": ("female", "male", "unknown"),
    "race": ("white", "black", "asian", "hispanic", "other", "unknown"),
    "admission_acuity": ("emergency", "urgent", "elective", "unknown"),
    "discharge_disposition": ("home", "home_health", "snf", "rehab", "transfer", "ama", "other", "unknown"),
    "dx_system": ("icd10", "icd9"),
}
JSON_KINDS: dict[str, type] = {
    "dx_codes": list,
    "med_codes": list,
    "proc_codes": list,
    "labs": dict,
    "extra": dict,
    "history": list,
}
# UCI has no calendar: its *_day values are null (NaN); every other number is required.
NULLABLE = frozenset({"admit_day", "discharge_day"})
RANGES: dict[str, tuple[float, float | None]] = {
    "age": (0, 120),
    "los_days": (0, None),
    "encounter_seq": (0, None),
    "n_lab_procedures": (0, None),
    "n_procedures": (0, None),
    "n_medications": (0, None),
    "prior_inpatient_365d": (0, None),
    "prior_emergency_365d": (0, None),
    "prior_outpatient_365d": (0, None),
}
# free-text fields that must keep their de-identified form (a full ZIP code or an exact age band is PHI)
PATTERNS: dict[str, str] = {"zip3": r"[0-9]{3}", "age_band": r"[0-9]{1,2}-[0-9]{1,2}|[0-9]{2}\+|any"}
# keyed pseudonyms written by ingest: hex HMAC-SHA256 (readmit.data.deid.pseudonym)
PSEUDONYM_PATTERN = r"[0-9a-f]{64}"


@dataclass(frozen=True)
class RuntimeConfig:
    """What the runtime reads from `parameters.extra` of model-settings.json (written by `readmit export`).

    Seldon's agent rewrites `name` and `parameters.version` with its own model name and version counter
    and keeps only the fields it knows, so everything of ours lives in `extra`.
    """

    registered_model: str
    registered_version: str
    thresholds: dict[
        str, float
    ]  # lower bounds: {"medium": validation prevalence, "high": decision threshold}
    max_rows: int = 1000
    max_request_bytes: int = 4 * 1024 * 1024
    top_k: int = 5
    selected_model: str = ""
    model_digest: str = ""
    git_commit: str = ""
    data_version: str = ""
    extra: dict = field(default_factory=dict)

    def to_extra(self) -> dict:
        out = asdict(self)
        out.pop("extra")
        return out

    @classmethod
    def from_extra(cls, extra: dict) -> RuntimeConfig:
        known = {k: v for k, v in extra.items() if k in cls.__dataclass_fields__ and k != "extra"}
        known["thresholds"] = {k: float(v) for k, v in known["thresholds"].items()}
        return cls(**known)


def band(risk: float, thresholds: dict[str, float]) -> str:
    if risk >= thresholds["high"]:
        return "high"
    return "medium" if risk >= thresholds["medium"] else "low"


def metadata_tensors() -> tuple[list[dict], list[dict]]:
    """`inputs` / `outputs` of model-settings.json: GET /v2/models/<name> then describes the contract."""
    inputs = [{"name": n, "datatype": d, "shape": [-1]} for n, d in INPUTS.items()]
    outputs = [{"name": n, "datatype": d, "shape": [-1]} for n, d in OUTPUTS.items()]
    return inputs, outputs
