"""Index rows -> the tabular feature matrix (LightGBM); readmit.features.steps builds the sequence model's
per-encounter step vectors from the same timelines and spec.

`fit_spec` learns the only data-dependent parts (which medication/procedure codes and which `extra`
values get their own column) from training rows; `tabular` and `steps.vectors` are then pure in
(rows, spec), where rows are a DataFrame or the same columns in a `columns.Columns` (what a server decodes).
Race and zip3 are deliberately not features: they are used for subgroup evaluation only.
"""

from __future__ import annotations

import functools
import re
from collections import Counter
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from readmit.features import encounter, jsoncol
from readmit.features.charlson import charlson_index
from readmit.features.codes import CHAPTERS, chapter_counts, is_diabetes, members
from readmit.features.columns import Columns
from readmit.features.events import CODE_COLUMNS, Timelines, floats, timelines
from readmit.features.history import aggregates

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


def _category_values(df: pd.DataFrame | Columns, dx: list[list[str]], extras: list[dict]) -> list[dict]:
    """`encounter.categories` of every row, from its diagnosis codes and parsed `extra`."""
    paths = zip(
        jsoncol.cells(df, "admission_acuity"), jsoncol.cells(df, "discharge_disposition"), strict=True
    )
    return [
        encounter.categories({"admission_acuity": a, "discharge_disposition": d}, codes, extra)
        for (a, d), codes, extra in zip(paths, dx, extras, strict=True)
    ]


def fit_spec(
    df: pd.DataFrame,
    n_meds: int = 30,
    n_procs: int = 20,
    n_values: int = 8,
    n_dx: int = 40,
    blocks: tuple[str, ...] = DEFAULT_BLOCKS,
    min_category_rows: int = 30,
) -> FeatureSpec:
    dx_lists, med_lists, proc_lists = (jsoncol.texts(jsoncol.cells(df, c), []) for c in CODE_COLUMNS)
    meds = Counter(c for v in med_lists for c in set(map(str, v)))
    dx = Counter(c for v in dx_lists for c in set(map(str, v)))
    procs = Counter(c for v in proc_lists for c in set(map(str, v)))
    extras = jsoncol.texts(jsoncol.cells(df, "extra"), {})
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
        for values in _category_values(df, [[str(c) for c in v] for v in dx_lists], extras):
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


def _objects(values: list) -> np.ndarray:
    return np.fromiter(values, dtype=object, count=len(values))


def _codes(df: pd.DataFrame | Columns, spec: FeatureSpec, events: Timelines, columns: dict) -> None:
    """Diagnosis chapters, counts and Charlson index, code and `extra` columns, optional blocks."""
    icd9 = events.icd9.tolist()
    # only text cells count here (an already parsed list is ignored), as they always have
    dx, meds, procs = (
        jsoncol.texts_of(jsoncol.cells(df, c), events.index_codes[c], []) for c in CODE_COLUMNS
    )
    dx = [[str(c) for c in v] for v in dx]
    meds = [set(map(str, v)) for v in meds]
    procs = [set(map(str, v)) for v in procs]
    counts, primary = chapter_counts(dx, icd9)
    columns |= {f"dx_{c}": counts[:, j] for j, c in enumerate(CHAPTERS)}
    columns |= {f"dx_primary_{c}": primary[:, j] for j, c in enumerate(CHAPTERS)}
    systems = ["icd9" if nine else "icd10" for nine in icd9]
    columns["dx_n"] = np.array([len(codes) for codes in dx], dtype=np.float64)
    pairs = list(zip(dx, systems, strict=True))
    columns["dx_diabetes"] = np.array([any(is_diabetes(c, s) for c in codes) for codes, s in pairs], float)
    columns["dx_charlson"] = np.array([charlson_index(codes, s) for codes, s in pairs], dtype=np.float64)
    columns["med_n"] = np.array([len(m) for m in meds], dtype=np.float64)
    columns["proc_n"] = np.array([len(p) for p in procs], dtype=np.float64)
    columns |= dict(zip((f"med={c}" for c in spec.med_vocab), members(meds, spec.med_vocab).T, strict=True))
    columns |= dict(
        zip((f"proc={c}" for c in spec.proc_vocab), members(procs, spec.proc_vocab).T, strict=True)
    )
    extras = jsoncol.texts(jsoncol.cells(df, "extra"), {})
    for key in spec.extra_numeric:
        numbers = (_number(extra.get(key)) for extra in extras)
        columns[f"extra_{key}"] = np.array([np.nan if v is None else v for v in numbers], dtype=np.float64)
    for key, values in spec.extra_values.items():
        text = _objects([str(extra.get(key)) for extra in extras])
        columns |= {f"extra_{key}={v}": (text == v).astype(np.float64) for v in values}
    blocks = getattr(spec, "blocks", ())  # bundles pickled before the blocks existed have none
    if codes := {
        n: {v: i for i, v in enumerate(vocab)} for n, vocab in getattr(spec, "categories", {}).items()
    }:
        values = _category_values(df, dx, extras)
        for name, index in codes.items():
            found = (index.get(v[name]) for v in values)
            columns[f"{CATEGORICAL_PREFIX}{name}"] = np.array(
                [np.nan if code is None else float(code) for code in found], dtype=np.float64
            )
    if "med_changes" in blocks:
        changes = [encounter.medication_changes(extra) for extra in extras]
        for key in encounter.medication_changes({}):
            columns[key] = np.array([c[key] for c in changes], dtype=np.float64)


def categorical_columns(columns) -> list[str]:
    return [c for c in columns if c.startswith(CATEGORICAL_PREFIX)]


def tabular(df: pd.DataFrame | Columns, spec: FeatureSpec, events: Timelines | None = None) -> pd.DataFrame:
    """One float row per index row; column order is fixed by `spec`, so train and serve agree."""
    if not len(df):
        return pd.DataFrame(index=df.index, dtype=float)
    events = events if events is not None else timelines(df)
    columns: dict[str, np.ndarray] = {c: floats(df, c) for c in NUMERIC}
    for column, values in CATEGORIES.items():
        cells = _objects(jsoncol.cells(df, column))
        columns |= {f"{column}={v}": (cells == v).astype(np.float64) for v in values}
    _codes(df, spec, events, columns)
    columns |= aggregates(events, outcomes="prior_outcome" in getattr(spec, "blocks", ()))
    # (features, rows) in one C call, handed to pandas as its transposed view: the frame's float block is
    # that array itself (np.column_stack and a fresh column Index per call cost more on one row)
    values = np.array(list(columns.values()), dtype=np.float64)
    return pd.DataFrame(values.T, index=df.index, columns=_column_index(tuple(columns)), copy=False)


@functools.lru_cache(maxsize=16)  # the names follow from the spec alone: a server asks for the same ones
def _column_index(names: tuple[str, ...]) -> pd.Index:
    return pd.Index(safe_names(names))  # immutable, so frames can share it


@functools.lru_cache(maxsize=16)
def safe_names(names: tuple[str, ...]) -> tuple[str, ...]:
    """LightGBM rejects JSON punctuation in feature names; values from `extra` may contain it."""
    out: list[str] = []
    seen: set[str] = set()
    for name in names:
        clean = re.sub(r"[^\w=.+-]", "_", name)
        out.append(clean if clean not in seen else f"{clean}_{len(out)}")
        seen.add(out[-1])
    return tuple(out)
