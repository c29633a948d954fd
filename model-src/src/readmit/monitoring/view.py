"""What drift compares: the model's inputs as the features module summarises them, one row per stay.

Both sides are raw index rows (the training set) or logged requests (the inference log carries the same
INDEX_COLUMNS as `inputs`), so drift is computed on columns derived identically from either:
- the scalar inputs the model reads directly (readmit.features.build NUMERIC and CATEGORIES);
- per-stay summaries of the JSON inputs as the feature builder counts them: number of diagnosis,
  medication and procedure codes, Charlson index, primary-diagnosis chapter, number of prior stays;
- the primary diagnosis code itself (top codes of the reference, else "other"): the sequence model embeds
  specific codes, so a change in coding practice reaches the model although every chapter stays the same;
- the last value of each canonical lab (readmit.schema.LAB_UNITS), which catches a unit change that
  slipped through ingest.
The hundreds of one-hot and vocabulary columns of the tabular matrix are not compared one by one: they
would swamp the drifted share with near-constant columns. Race and zip3 are not model inputs (they are
used for subgroup evaluation only) and are not monitored here.
"""

from __future__ import annotations

import json
from collections import Counter

import numpy as np
import pandas as pd

from readmit.features.build import CATEGORIES, NUMERIC
from readmit.features.charlson import charlson_index
from readmit.features.codes import chapter
from readmit.schema import LAB_UNITS

PREDICTION = "readmission_risk"
OTHER = "other"
LABS = tuple(f"lab_{name}" for name in LAB_UNITS)
DERIVED_NUMERIC = ("dx_n", "dx_charlson", "med_n", "proc_n", "prior_stays", *LABS)
DERIVED_CATEGORICAL = ("dx_primary_chapter", "dx_primary")
NUMERICAL_COLUMNS = (*NUMERIC, *DERIVED_NUMERIC)
CATEGORICAL_COLUMNS = (*CATEGORIES, *DERIVED_CATEGORICAL)
FEATURES = (*NUMERICAL_COLUMNS, *CATEGORICAL_COLUMNS)


def _loads(value, default):
    if not isinstance(value, str):
        return default
    try:
        return json.loads(value)
    except ValueError:
        return default


def primary_code(dx_codes) -> str | None:
    codes = _loads(dx_codes, [])
    return str(codes[0]) if codes else None


def code_vocabulary(reference: pd.DataFrame, top: int) -> tuple[str, ...]:
    """The `top` most frequent primary codes of the reference; a current-only code counts as "other"."""
    counts = Counter(c for c in map(primary_code, reference["dx_codes"]) if c is not None)
    return tuple(sorted(code for code, _ in counts.most_common(top)))


def _last_lab(labs: dict, name: str) -> float:
    series = labs.get(name) if isinstance(labs, dict) else None
    try:
        return float(series[-1][1])
    except (TypeError, IndexError, ValueError):
        return np.nan


def _summaries(row: dict, vocabulary: frozenset[str]) -> dict:
    system = row.get("dx_system") or "icd10"
    dx = [str(c) for c in _loads(row.get("dx_codes"), [])]
    labs = _loads(row.get("labs"), {})
    out = {
        "dx_n": float(len(dx)),
        "dx_charlson": float(charlson_index(dx, system)),
        "med_n": float(len(_loads(row.get("med_codes"), []))),
        "proc_n": float(len(_loads(row.get("proc_codes"), []))),
        "prior_stays": float(len(_loads(row.get("history"), []))),
        "dx_primary_chapter": chapter(dx[0], system) if dx else "none",
        "dx_primary": (dx[0] if dx[0] in vocabulary else OTHER) if dx else "none",
    }
    return out | {column: _last_lab(labs, column[4:]) for column in LABS}


def monitored(rows: pd.DataFrame, vocabulary: tuple[str, ...]) -> pd.DataFrame:
    """The monitored columns (FEATURES, plus PREDICTION when scored) of index rows or logged rows."""
    keep = frozenset(vocabulary)
    derived = pd.DataFrame([_summaries(r, keep) for r in rows.to_dict("records")], index=rows.index)
    out = pd.DataFrame(index=rows.index)
    for column in NUMERIC:
        out[column] = pd.to_numeric(rows[column], errors="coerce").astype(float)
    for column in CATEGORIES:
        out[column] = rows[column].fillna("unknown").astype(str)
    for column in DERIVED_NUMERIC:
        out[column] = derived[column].astype(float) if len(rows) else pd.Series(dtype=float)
    for column in DERIVED_CATEGORICAL:
        out[column] = derived[column].astype(str) if len(rows) else pd.Series(dtype=str)
    if PREDICTION in rows.columns:
        out[PREDICTION] = pd.to_numeric(rows[PREDICTION], errors="coerce").astype(float)
    return out
