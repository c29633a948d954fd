"""Index rows -> the tabular feature matrix (LightGBM) and per-encounter step vectors (sequence model).

`fit_spec` learns the only data-dependent parts (which medication/procedure codes and which `extra`
values get their own column) from training rows; `tabular` and `steps` are then pure in (rows, spec).
Race and zip3 are deliberately not features: they are used for subgroup evaluation only.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from readmit.features import encounter, jsoncol
from readmit.features.charlson import charlson_index
from readmit.features.clean import LAB_REFERENCE
from readmit.features.codes import CHAPTERS, chapter, is_diabetes
from readmit.features.events import CLASSES, CODE_COLUMNS, Timelines, floats, timelines
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


def _category_values(df: pd.DataFrame, dx: list[list[str]], extras: list[dict]) -> list[dict]:
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


_CHAPTER_INDEX = {name: j for j, name in enumerate(CHAPTERS)}


def _objects(values: list) -> np.ndarray:
    return np.fromiter(values, dtype=object, count=len(values))


def _system_is_icd9(df: pd.DataFrame) -> list[bool]:
    return [(v or "icd10") == "icd9" for v in jsoncol.cells(df, "dx_system")]


def _chapter_columns(codes: list[str], system: str) -> list[int]:
    return [_CHAPTER_INDEX[chapter(code, system)] for code in codes]


def _chapter_counts(dx: list[list[str]], icd9: list[bool]) -> tuple[np.ndarray, np.ndarray]:
    """(rows, chapters) counts of each list's codes, and a one-hot of its first code's chapter."""
    n, width = len(dx), len(CHAPTERS)
    nine = [c for codes, i9 in zip(dx, icd9, strict=True) if i9 for c in codes]
    ten = [c for codes, i9 in zip(dx, icd9, strict=True) if not i9 for c in codes]
    columns = np.empty(len(nine) + len(ten), dtype=np.int64)
    lengths = np.fromiter(map(len, dx), dtype=np.int64, count=n)
    system = np.repeat(np.array(icd9, dtype=bool).reshape(n), lengths)
    columns[system] = _chapter_columns(nine, "icd9")
    columns[~system] = _chapter_columns(ten, "icd10")
    rows = np.repeat(np.arange(n), lengths)
    counts = np.bincount(rows * width + columns, minlength=n * width).astype(np.float64).reshape(n, width)
    primary = np.zeros((n, width))
    has = lengths > 0
    primary[np.flatnonzero(has), columns[(np.cumsum(lengths) - lengths)[has]]] = 1.0
    return counts, primary


def _members(lists: list, vocab: list[str]) -> np.ndarray:
    """(rows, vocab) 1.0 where the row's list holds the code."""
    index = {code: j for j, code in enumerate(vocab)}
    out = np.zeros((len(lists), len(vocab)))
    for i, codes in enumerate(lists):
        for code in codes:
            j = index.get(code)
            if j is not None:
                out[i, j] = 1.0
    return out


def _codes(df: pd.DataFrame, spec: FeatureSpec, parsed: dict[str, list], columns: dict) -> None:
    """Diagnosis chapters, counts and Charlson index, code and `extra` columns, optional blocks."""
    icd9 = _system_is_icd9(df)
    # only text cells count here (an already parsed list is ignored), as they always have
    dx, meds, procs = (jsoncol.texts_of(jsoncol.cells(df, c), parsed[c], []) for c in CODE_COLUMNS)
    dx = [[str(c) for c in v] for v in dx]
    meds = [set(map(str, v)) for v in meds]
    procs = [set(map(str, v)) for v in procs]
    counts, primary = _chapter_counts(dx, icd9)
    columns |= {f"dx_{c}": counts[:, j] for j, c in enumerate(CHAPTERS)}
    columns |= {f"dx_primary_{c}": primary[:, j] for j, c in enumerate(CHAPTERS)}
    systems = ["icd9" if nine else "icd10" for nine in icd9]
    columns["dx_n"] = np.array([len(codes) for codes in dx], dtype=np.float64)
    pairs = list(zip(dx, systems, strict=True))
    columns["dx_diabetes"] = np.array([any(is_diabetes(c, s) for c in codes) for codes, s in pairs], float)
    columns["dx_charlson"] = np.array([charlson_index(codes, s) for codes, s in pairs], dtype=np.float64)
    columns["med_n"] = np.array([len(m) for m in meds], dtype=np.float64)
    columns["proc_n"] = np.array([len(p) for p in procs], dtype=np.float64)
    columns |= dict(zip((f"med={c}" for c in spec.med_vocab), _members(meds, spec.med_vocab).T, strict=True))
    columns |= dict(
        zip((f"proc={c}" for c in spec.proc_vocab), _members(procs, spec.proc_vocab).T, strict=True)
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


def tabular(df: pd.DataFrame, spec: FeatureSpec, events: Timelines | None = None) -> pd.DataFrame:
    """One float row per index row; column order is fixed by `spec`, so train and serve agree."""
    if not len(df):
        return pd.DataFrame(index=df.index, dtype=float)
    events = events if events is not None else timelines(df)
    columns: dict[str, np.ndarray] = {c: floats(df, c) for c in NUMERIC}
    for column, values in CATEGORIES.items():
        cells = _objects(jsoncol.cells(df, column))
        columns |= {f"{column}={v}": (cells == v).astype(np.float64) for v in values}
    _codes(df, spec, events.index_codes, columns)
    columns |= aggregates(events, outcomes="prior_outcome" in getattr(spec, "blocks", ()))
    table = pd.DataFrame(np.column_stack(list(columns.values())), index=df.index, columns=list(columns))
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


def _log1p(values: np.ndarray) -> np.ndarray:
    """`math.log1p` elementwise (numpy's may differ in the last bit); inputs repeat, so once per value."""
    unique, inverse = np.unique(values, return_inverse=True)
    return np.array([math.log1p(v) for v in unique.tolist()], dtype=np.float64)[inverse.reshape(-1)]


def step_width(spec: FeatureSpec) -> int:
    """Classes, scalars, chapters, last lab value and lab presence per lab, then the code vocabulary."""
    return len(CLASSES) + len(STEP_SCALARS) + len(CHAPTERS) + 2 * len(LAB_REFERENCE) + len(spec.dx_vocab)


def _step_vectors(
    df: pd.DataFrame, t: Timelines, picked: np.ndarray, first: np.ndarray, spec: FeatureSpec
) -> np.ndarray:
    """(len(picked), step_width) float64 vectors of the events `picked`; the gap is to the event before,
    unknown for the `first` of each window."""
    out = np.zeros((len(picked), step_width(spec)))
    at = 0
    out[np.arange(len(picked)), t.cls[picked]] = 1.0
    at += len(CLASSES)
    previous_end = np.where(first, np.nan, t.discharge[picked - 1])
    gap = t.admit[picked] - previous_end
    unknown = np.isnan(gap)
    n_dx = np.array([len(t.dx[k]) for k in picked.tolist()], dtype=np.float64)
    scalars = (
        _log1p(np.maximum(t.los[picked], 0.0)),
        _log1p(n_dx),
        _log1p(t.n_meds[picked].astype(np.float64)),
        _log1p(t.n_procs[picked].astype(np.float64)),
        np.where(unknown, 0.0, _log1p(np.where(unknown, 0.0, np.maximum(gap, 0.0)))),
        unknown.astype(np.float64),
    )
    out[:, at : at + len(STEP_SCALARS)] = np.column_stack(scalars)
    at += len(STEP_SCALARS)
    icd9 = np.array(_system_is_icd9(df), dtype=bool)[t.row[picked]]
    counts, _ = _chapter_counts([t.dx[k] for k in picked.tolist()], icd9.tolist())
    out[:, at : at + len(CHAPTERS)] = _log1p(counts.reshape(-1)).reshape(counts.shape)
    at += len(CHAPTERS)
    position = np.full(len(t.cls), -1)
    position[picked] = np.arange(len(picked))
    mine = position[t.lab_event] >= 0
    events, names, values = position[t.lab_event[mine]], t.lab_name[mine], t.lab_value[mine]
    last = np.r_[(events[1:] != events[:-1]) | (names[1:] != names[:-1]), True] if len(events) else mine[mine]
    out[events[last], at + names[last]] = values[last]
    out[events, at + len(LAB_REFERENCE) + names] = 1.0
    at += 2 * len(LAB_REFERENCE)
    out[:, at:] = _members([t.dx[k] for k in picked.tolist()], spec.dx_vocab)
    return out


def steps(df: pd.DataFrame, t: Timelines, max_steps: int, spec: FeatureSpec) -> tuple[np.ndarray, np.ndarray]:
    """(n, max_steps, step_width) left-aligned step vectors of the last encounters (index last) + lengths."""
    lengths = np.minimum(t.lengths, max_steps)
    out = np.zeros((len(lengths), max_steps, step_width(spec)), dtype=np.float32)
    ends = t.starts[1:]
    row = np.repeat(np.arange(len(lengths)), lengths)
    slot = np.arange(len(row)) - np.repeat(np.cumsum(lengths) - lengths, lengths)
    picked = np.repeat(ends - lengths, lengths) + slot
    if len(picked):
        out[row, slot] = _step_vectors(df, t, picked, slot == 0, spec)
    return out, lengths.astype(np.int64)
