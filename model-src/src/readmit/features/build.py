"""Index rows -> the tabular feature matrix (LightGBM) and per-encounter step vectors (sequence model).

`fit_spec` learns the only data-dependent parts (which medication/procedure codes and which `extra`
values get their own column) from training rows; `tabular` and `steps` are then pure in (rows, spec).
Race and zip3 are deliberately not features: they are used for subgroup evaluation only.
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from readmit.features.charlson import charlson_index
from readmit.features.clean import LAB_REFERENCE, finite
from readmit.features.codes import CHAPTERS, chapter, is_diabetes
from readmit.features.history import CLASSES, aggregates, timeline

NUMERIC = (
    "age",
    "los_days",
    "n_lab_procedures",
    "n_procedures",
    "n_medications",
    "prior_inpatient_365d",
    "prior_emergency_365d",
    "prior_outpatient_365d",
    "encounter_seq",
)
CATEGORIES = {
    "sex": ("female", "male"),
    "admission_acuity": ("emergency", "urgent", "elective"),
    "discharge_disposition": ("home", "home_health", "snf", "rehab", "transfer", "ama", "other"),
}


@dataclass
class FeatureSpec:
    med_vocab: list[str] = field(default_factory=list)
    proc_vocab: list[str] = field(default_factory=list)
    extra_numeric: list[str] = field(default_factory=list)
    extra_values: dict[str, list[str]] = field(default_factory=dict)
    # specific diagnosis codes for the sequence model's learned code embedding (LightGBM sees chapters)
    dx_vocab: list[str] = field(default_factory=list)


def _json(value, default):
    try:
        return json.loads(value) if isinstance(value, str) else default
    except ValueError:
        return default


def _number(value) -> float | None:
    if isinstance(value, bool) or value is None:
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if np.isfinite(number) else None


def fit_spec(
    df: pd.DataFrame, n_meds: int = 30, n_procs: int = 20, n_values: int = 8, n_dx: int = 40
) -> FeatureSpec:
    meds = Counter(c for v in df["med_codes"] for c in set(map(str, _json(v, []))))
    dx = Counter(c for v in df["dx_codes"] for c in set(map(str, _json(v, []))))
    procs = Counter(c for v in df["proc_codes"] for c in set(map(str, _json(v, []))))
    extras = [_json(v, {}) for v in df["extra"]]
    min_rows = max(1, len(df) // 100)
    keys = Counter(k for e in extras for k in e)
    spec = FeatureSpec(
        med_vocab=sorted(c for c, n in meds.most_common(n_meds) if n >= min_rows),
        proc_vocab=sorted(c for c, n in procs.most_common(n_procs) if n >= min_rows),
        dx_vocab=sorted(c for c, n in dx.most_common(n_dx) if n >= min_rows),
    )
    for key in sorted(k for k, n in keys.items() if n >= min_rows):
        values = [e[key] for e in extras if e.get(key) is not None]
        if not values or any(isinstance(v, (dict, list)) for v in values):
            continue  # nested values (e.g. per-drug dose changes) are covered by the code columns
        if all(_number(v) is not None for v in values):
            spec.extra_numeric.append(key)
        else:
            common = Counter(str(v) for v in values).most_common(n_values)
            spec.extra_values[key] = sorted(v for v, n in common if n >= min_rows)
    return spec


def _codes_row(row: dict, spec: FeatureSpec) -> dict[str, float]:
    system = row.get("dx_system") or "icd10"
    dx = [str(c) for c in _json(row["dx_codes"], [])]
    meds = set(map(str, _json(row["med_codes"], [])))
    procs = set(map(str, _json(row["proc_codes"], [])))
    out = {f"dx_{c}": 0.0 for c in CHAPTERS} | {f"dx_primary_{c}": 0.0 for c in CHAPTERS}
    for i, code in enumerate(dx):
        out[f"dx_{chapter(code, system)}"] += 1.0
        if i == 0:
            out[f"dx_primary_{chapter(code, system)}"] = 1.0
    out["dx_n"] = float(len(dx))
    out["dx_diabetes"] = float(any(is_diabetes(c, system) for c in dx))
    out["dx_charlson"] = float(charlson_index(dx, system))
    out["med_n"], out["proc_n"] = float(len(meds)), float(len(procs))
    out |= {f"med={c}": float(c in meds) for c in spec.med_vocab}
    out |= {f"proc={c}": float(c in procs) for c in spec.proc_vocab}
    extra = _json(row.get("extra"), {})
    for key in spec.extra_numeric:
        value = _number(extra.get(key))
        out[f"extra_{key}"] = value if value is not None else np.nan
    for key, values in spec.extra_values.items():
        out |= {f"extra_{key}={v}": float(str(extra.get(key)) == v) for v in values}
    return out


def tabular(df: pd.DataFrame, spec: FeatureSpec, timelines: list[list[dict]] | None = None) -> pd.DataFrame:
    """One float row per index row; column order is fixed by `spec`, so train and serve agree."""
    records = df.to_dict("records")
    timelines = timelines if timelines is not None else [timeline(r) for r in records]
    rows = []
    for record, events in zip(records, timelines, strict=True):
        out = {c: float(record[c]) if finite(record.get(c)) else np.nan for c in NUMERIC}
        for column, values in CATEGORIES.items():
            out |= {f"{column}={v}": float(record.get(column) == v) for v in values}
        rows.append(out | _codes_row(record, spec) | aggregates(events))
    table = pd.DataFrame(rows, index=df.index, dtype=float)
    table.columns = safe_names(list(table.columns))
    return table


def safe_names(names: list[str]) -> list[str]:
    """LightGBM rejects JSON punctuation in feature names; values from `extra` may contain it."""
    out: list[str] = []
    for name in names:
        clean = re.sub(r"[^\w=.+-]", "_", name)
        out.append(clean if clean not in out else f"{clean}_{len(out)}")
    return out


def _step(event: dict, system: str, previous_end, dx_index: dict[str, int]) -> list[float]:
    chapters = Counter(chapter(c, system) for c in event["dx"])
    codes = [0.0] * len(dx_index)
    for code in event["dx"]:
        if code in dx_index:
            codes[dx_index[code]] = 1.0
    gap = event["admit_day"] - previous_end if finite(event["admit_day"]) and finite(previous_end) else None
    labs = [event["labs"][n][-1] if n in event["labs"] else 0.0 for n in LAB_REFERENCE]
    return (
        [float(event["class"] == c) for c in CLASSES]
        + [
            math.log1p(max(event["los"], 0.0)),
            math.log1p(len(event["dx"])),
            math.log1p(len(event["meds"])),
            math.log1p(len(event["procs"])),
            math.log1p(max(gap, 0.0)) if gap is not None else 0.0,
            float(gap is None),
        ]
        + [math.log1p(chapters.get(c, 0)) for c in CHAPTERS]
        + labs
        + [float(n in event["labs"]) for n in LAB_REFERENCE]
        + codes
    )


def step_width(spec: FeatureSpec) -> int:
    return len(CLASSES) + 6 + len(CHAPTERS) + 2 * len(LAB_REFERENCE) + len(spec.dx_vocab)


def steps(
    df: pd.DataFrame, timelines: list[list[dict]], max_steps: int, spec: FeatureSpec
) -> tuple[np.ndarray, np.ndarray]:
    """(n, max_steps, step_width) left-aligned step vectors of the last encounters (index last) + lengths."""
    dx_index = {code: i for i, code in enumerate(spec.dx_vocab)}
    out = np.zeros((len(timelines), max_steps, step_width(spec)), dtype=np.float32)
    lengths = np.zeros(len(timelines), dtype=np.int64)
    systems = df["dx_system"].fillna("icd10").tolist()
    for i, (events, system) in enumerate(zip(timelines, systems, strict=True)):
        recent = events[-max_steps:]
        previous_end = None
        for j, event in enumerate(recent):
            out[i, j] = _step(event, system, previous_end, dx_index)
            previous_end = event["discharge_day"]
        lengths[i] = len(recent)
    return out, lengths


def timelines(df: pd.DataFrame) -> list[list[dict]]:
    return [timeline(r) for r in df.to_dict("records")]
