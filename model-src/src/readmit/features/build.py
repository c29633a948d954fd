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

from readmit.features import encounter
from readmit.features.charlson import charlson_index
from readmit.features.clean import LAB_REFERENCE, finite
from readmit.features.codes import CHAPTERS, chapter, is_diabetes
from readmit.features.history import CLASSES, OUTCOME_COLUMNS, aggregates, timeline

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


# `extra` keys that are never features: the global time position the temporal split orders by
# (a model must not learn the era of its training rows)
TIME_ORDER_KEY = "period"
NOT_FEATURES = frozenset({TIME_ORDER_KEY})
CATEGORICAL_PREFIX = "cat_"  # columns LightGBM treats as categorical (codes into FeatureSpec.categories)
# optional feature blocks; each was kept only after it raised validation AUC (model-src/README.md)
BLOCKS = ("dx_categories", "admission_path", "med_changes", "prior_outcome")
DEFAULT_BLOCKS: tuple[
    str, ...
] = ()  # none has raised UCI validation AUC yet (ablation in model-src/README.md)
_BLOCK_CATEGORIES = {
    "dx_categories": ("dx1", "dx1_3", "dx2_3", "dx3_3"),
    "admission_path": ("admission_path", "specialty"),
}


@dataclass
class FeatureSpec:
    med_vocab: list[str] = field(default_factory=list)
    proc_vocab: list[str] = field(default_factory=list)
    extra_numeric: list[str] = field(default_factory=list)
    extra_values: dict[str, list[str]] = field(default_factory=dict)
    # specific diagnosis codes for the sequence model's learned code embedding (LightGBM sees chapters)
    dx_vocab: list[str] = field(default_factory=list)
    blocks: tuple[str, ...] = DEFAULT_BLOCKS
    # categorical feature -> its frequent training values (position = code); rarer values are missing
    categories: dict[str, list[str]] = field(default_factory=dict)


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


def _categorical_names(blocks) -> list[str]:
    return [name for b in blocks for name in _BLOCK_CATEGORIES.get(b, ())]


def _categories(record: dict) -> dict[str, str | None]:
    dx = [str(c) for c in _json(record["dx_codes"], [])]
    return encounter.categories(record, dx, _json(record.get("extra"), {}))


def fit_spec(
    df: pd.DataFrame,
    n_meds: int = 30,
    n_procs: int = 20,
    n_values: int = 8,
    n_dx: int = 40,
    blocks: tuple[str, ...] = DEFAULT_BLOCKS,
    min_category_rows: int = 30,
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
        blocks=tuple(blocks),
    )
    if names := _categorical_names(blocks):
        counts = {name: Counter() for name in names}
        for record in df.to_dict("records"):
            values = _categories(record)
            for name in names:
                if values[name] is not None:
                    counts[name][values[name]] += 1
        spec.categories = {
            n: sorted(v for v, k in c.items() if k >= min_category_rows) for n, c in counts.items()
        }
    for key in sorted(k for k, n in keys.items() if n >= min_rows and k not in NOT_FEATURES):
        values = [e[key] for e in extras if e.get(key) is not None]
        if not values or any(isinstance(v, (dict, list)) for v in values):
            continue  # nested values (e.g. per-drug dose changes) are covered by the code columns
        if all(_number(v) is not None for v in values):
            spec.extra_numeric.append(key)
        else:
            common = Counter(str(v) for v in values).most_common(n_values)
            spec.extra_values[key] = sorted(v for v, n in common if n >= min_rows)
    return spec


def _codes_row(row: dict, spec: FeatureSpec, codes: dict[str, dict[str, int]]) -> dict[str, float]:
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
    blocks = getattr(spec, "blocks", ())  # bundles pickled before the blocks existed have none
    if codes:
        values = encounter.categories(row, dx, extra)
        for name, index in codes.items():
            code = index.get(values[name])
            out[f"{CATEGORICAL_PREFIX}{name}"] = float(code) if code is not None else np.nan
    if "med_changes" in blocks:
        out |= encounter.medication_changes(extra)
    return out


def categorical_columns(columns) -> list[str]:
    return [c for c in columns if c.startswith(CATEGORICAL_PREFIX)]


def tabular(df: pd.DataFrame, spec: FeatureSpec, timelines: list[list[dict]] | None = None) -> pd.DataFrame:
    """One float row per index row; column order is fixed by `spec`, so train and serve agree."""
    records = df.to_dict("records")
    timelines = timelines if timelines is not None else [timeline(r) for r in records]
    codes = {
        name: {v: i for i, v in enumerate(vocab)} for name, vocab in getattr(spec, "categories", {}).items()
    }
    rows = []
    for record, events in zip(records, timelines, strict=True):
        out = {c: float(record[c]) if finite(record.get(c)) else np.nan for c in NUMERIC}
        for column, values in CATEGORIES.items():
            out |= {f"{column}={v}": float(record.get(column) == v) for v in values}
        history = aggregates(events)
        if "prior_outcome" not in getattr(spec, "blocks", ()):
            history = {k: v for k, v in history.items() if k not in OUTCOME_COLUMNS}
        rows.append(out | _codes_row(record, spec, codes) | history)
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


# the per-encounter scalars of a step, in order; step_width counts them, so adding one cannot desync it
STEP_SCALARS = ("log_los", "log_n_dx", "log_n_meds", "log_n_procs", "log_gap_days", "gap_unknown")


def _scalars(event: dict, previous_end) -> dict[str, float]:
    gap = event["admit_day"] - previous_end if finite(event["admit_day"]) and finite(previous_end) else None
    return {
        "log_los": math.log1p(max(event["los"], 0.0)),
        "log_n_dx": math.log1p(len(event["dx"])),
        "log_n_meds": math.log1p(len(event["meds"])),
        "log_n_procs": math.log1p(len(event["procs"])),
        "log_gap_days": math.log1p(max(gap, 0.0)) if gap is not None else 0.0,
        "gap_unknown": float(gap is None),
    }


def _step(event: dict, system: str, previous_end, dx_index: dict[str, int]) -> list[float]:
    chapters = Counter(chapter(c, system) for c in event["dx"])
    codes = [0.0] * len(dx_index)
    for code in event["dx"]:
        if code in dx_index:
            codes[dx_index[code]] = 1.0
    scalars = _scalars(event, previous_end)
    labs = [event["labs"][n][-1] if n in event["labs"] else 0.0 for n in LAB_REFERENCE]
    return (
        [float(event["class"] == c) for c in CLASSES]
        + [scalars[name] for name in STEP_SCALARS]
        + [math.log1p(chapters.get(c, 0)) for c in CHAPTERS]
        + labs
        + [float(n in event["labs"]) for n in LAB_REFERENCE]
        + codes
    )


def step_width(spec: FeatureSpec) -> int:
    """Classes, scalars, chapters, last lab value and lab presence per lab, then the code vocabulary."""
    return len(CLASSES) + len(STEP_SCALARS) + len(CHAPTERS) + 2 * len(LAB_REFERENCE) + len(spec.dx_vocab)


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
