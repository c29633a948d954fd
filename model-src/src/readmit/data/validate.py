"""`readmit data validate DIR`: is this a usable, leak-free training set?

Checks schema, ranges (age 0-120, length of stay >= 0), the label, duplicate index encounters,
the data version, and a leakage guard: nothing in a row may come from after its index
discharge (history items must have ended before the admission, labs must fall inside the stay).
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import pandas as pd

from readmit.data.manifest import data_version
from readmit.errors import CheckFailed, InputError
from readmit.schema import HISTORY_COLUMNS, HISTORY_FILE, INDEX_COLUMNS, INDEX_FILE, LABEL, MANIFEST_FILE

SHOWN = 5  # per check; the rest is counted, so a broken 100k-row file stays readable
DTYPE_OK = {
    "int": pd.api.types.is_integer_dtype,
    "float": pd.api.types.is_float_dtype,
    "str": pd.api.types.is_object_dtype,
    "json": pd.api.types.is_object_dtype,
}


def _rows(what: str, mask: pd.Series, df: pd.DataFrame) -> list[str]:
    rows = list(df.index[mask.to_numpy()])
    if not rows:
        return []
    shown = ", ".join(str(r) for r in rows[:SHOWN]) + (
        f" and {len(rows) - SHOWN} more" if len(rows) > SHOWN else ""
    )
    return [f"{INDEX_FILE}: {what} (row {shown})"]


def check_schema(df: pd.DataFrame, columns: dict[str, str], name: str) -> list[str]:
    problems = [f"{name}: missing column {c}" for c in columns if c not in df.columns]
    problems += [f"{name}: unexpected column {c}" for c in df.columns if c not in columns]
    problems += [
        f"{name}: column {c} has dtype {df[c].dtype}, expected {family}"
        for c, family in columns.items()
        if c in df.columns and not DTYPE_OK[family](df[c])
    ]
    return problems


def check_values(df: pd.DataFrame) -> list[str]:
    problems = _rows("age outside 0-120", ~df["age"].between(0, 120), df)
    problems += _rows("los_days missing or negative", ~(df["los_days"] >= 0), df)
    problems += _rows("discharge_day before admit_day", df["discharge_day"] < df["admit_day"], df)
    problems += _rows(f"{LABEL} missing or not 0/1", ~df[LABEL].isin([0, 1]), df)
    problems += _rows("duplicate encounter_key", df["encounter_key"].duplicated(keep=False), df)
    return problems


def _leaks(row) -> str | None:
    try:
        history, labs = json.loads(row.history), json.loads(row.labs)
    except (TypeError, ValueError):
        return "history or labs is not valid JSON"
    for item in history:
        if item.get("encounter_seq", -1) >= row.encounter_seq:
            return "history holds an encounter at or after the index encounter"
        if _after(item.get("discharge_day"), row.admit_day):
            return "history holds an encounter that ended after the index admission"
        if any(_after(day, row.admit_day) for series in item.get("labs", {}).values() for day, _ in series):
            return "history holds a lab result taken after the index admission"
    if any(_after(day, row.discharge_day) for series in labs.values() for day, _ in series):
        return "labs hold a result taken after the index discharge"
    return None


def _after(day, limit) -> bool:
    return day is not None and not math.isnan(limit) and day > limit + 1e-6


def check_leakage(df: pd.DataFrame) -> list[str]:
    found = pd.Series(
        [
            _leaks(row)
            for row in df[["history", "labs", "encounter_seq", "admit_day", "discharge_day"]].itertuples()
        ],
        index=df.index,
    )
    return [p for reason in found.dropna().unique() for p in _rows(f"leakage: {reason}", found == reason, df)]


def require_trainable(index: pd.DataFrame, where: str, hint: str = "") -> None:
    """A training set needs rows and both label values: otherwise an input error with the count found.
    Called by ingest (before writing), validate and train."""
    labels = sorted(index[LABEL].dropna().unique().tolist()) if LABEL in index else []
    if len(index) and len(labels) >= 2:
        return
    found = (
        "0 index stays"
        if not len(index)
        else f"{len(index)} index stays, "
        + (f"all with label {labels[0]}" if labels else "none with a label")
    )
    raise InputError(
        f"{where}: {found}{hint}; training needs stays with both label values (0 and 1): "
        "ingest a larger or complete export"
    )


def validate(directory: Path) -> dict:
    """Raise CheckFailed listing every problem; return a small summary when clean."""
    directory = Path(directory)
    if not directory.is_dir():
        raise InputError(f"{directory}: not a directory; pass the output folder of `readmit data ingest`")
    missing = [f for f in (INDEX_FILE, HISTORY_FILE, MANIFEST_FILE) if not (directory / f).is_file()]
    if missing:
        raise CheckFailed(f"{directory}: not a training set", [f"{f}: missing" for f in missing])
    index, history = pd.read_parquet(directory / INDEX_FILE), pd.read_parquet(directory / HISTORY_FILE)
    problems = check_schema(index, INDEX_COLUMNS, INDEX_FILE) + check_schema(
        history, HISTORY_COLUMNS, HISTORY_FILE
    )
    if not problems:
        require_trainable(index, str(directory / INDEX_FILE))
        problems += check_values(index) + check_leakage(index)
        try:
            recorded = json.loads((directory / MANIFEST_FILE).read_text()).get("data_version")
        except ValueError:
            recorded = None
        if recorded != data_version(index, history):
            problems.append(f"{MANIFEST_FILE}: data_version does not match the tables (edited after ingest?)")
    if problems:
        raise CheckFailed(f"{directory}: {len(problems)} problem(s) found", problems)
    return {
        "index_rows": len(index),
        "history_rows": len(history),
        "label_prevalence": float(index[LABEL].mean()) if len(index) else None,
    }
