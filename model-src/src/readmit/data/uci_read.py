"""Load the UCI Diabetes 130-US csv, from the zip as distributed or the bare csv."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pandas as pd

from readmit.errors import InputError

CSV_NAME = "diabetic_data.csv"
REQUIRED = (
    "encounter_id",
    "patient_nbr",
    "race",
    "gender",
    "age",
    "admission_type_id",
    "discharge_disposition_id",
    "time_in_hospital",
    "num_lab_procedures",
    "num_procedures",
    "num_medications",
    "number_outpatient",
    "number_emergency",
    "number_inpatient",
    "diag_1",
    "diag_2",
    "diag_3",
    "readmitted",
)
INTEGER = (
    "encounter_id",
    "patient_nbr",
    "admission_type_id",
    "discharge_disposition_id",
    "time_in_hospital",
    "num_lab_procedures",
    "num_procedures",
    "num_medications",
    "number_outpatient",
    "number_emergency",
    "number_inpatient",
)

COUNTS = INTEGER[4:]  # time_in_hospital .. number_inpatient: never negative


def read(path: Path) -> tuple[pd.DataFrame, list[Path], str]:
    """Return (raw frame of strings, files to fingerprint, display name for errors)."""
    path = Path(path)
    if path.is_dir():
        candidates = sorted(path.glob("*.zip")) + sorted(path.rglob(CSV_NAME))
        if not candidates:
            raise InputError(f"{path}: no {CSV_NAME} or .zip inside; pass the UCI zip or its csv")
        path = candidates[0]
    if not path.is_file():
        raise InputError(f"{path}: no such file; pass the UCI zip or {CSV_NAME}")
    try:
        if zipfile.is_zipfile(path):
            with zipfile.ZipFile(path) as zf:
                members = [n for n in zf.namelist() if n.endswith(CSV_NAME)]
                if not members:
                    raise InputError(f"{path}: the zip holds no {CSV_NAME}; pass the UCI zip as distributed")
                data, where = zf.read(members[0]), f"{path}!{members[0]}"
        else:
            data, where = path.read_bytes(), str(path)
    except (OSError, zipfile.BadZipFile) as exc:
        raise InputError(f"{path}: unreadable ({type(exc).__name__}); check the file is complete") from None
    return parse(data, where), [path], where


def parse(data: bytes, where: str) -> pd.DataFrame:
    try:
        df = pd.read_csv(io.BytesIO(data), dtype=str, na_values=["?"], keep_default_na=False)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        raise InputError(
            f"{where}: not a readable csv ({str(exc).splitlines()[0][:120]}); pass the UCI diabetic_data.csv"
        ) from None
    missing = [c for c in REQUIRED if c not in df.columns]
    if missing:
        raise InputError(
            f"{where}:1: missing column(s) {', '.join(missing)}; "
            "pass the UCI diabetic_data.csv with its original header"
        )
    if df.empty:
        raise InputError(f"{where}:2: no data rows; pass the full UCI diabetic_data.csv")
    for col in INTEGER:
        numbers = pd.to_numeric(df[col], errors="coerce").astype("float64")
        # Beyond 2**53 a float is no longer an exact integer (and int64 would overflow).
        bad = numbers.isna() | (numbers % 1 != 0) | (numbers.abs() >= 2**53)
        if bad.any():
            row = int(bad.to_numpy().argmax()) + 2  # +1 header, +1 one-based
            # The value is not echoed: encounter_id and patient_nbr are identifiers.
            raise InputError(f"{where}:{row}: column {col} is not an integer; fix or remove that row")
        if col in COUNTS and (numbers < 0).any():
            row = int((numbers < 0).to_numpy().argmax()) + 2
            raise InputError(f"{where}:{row}: column {col} is negative; a count or length of stay is >= 0")
        df[col] = numbers.astype("int64")
    repeated = df["encounter_id"].duplicated()
    if repeated.any():
        row = int(repeated.to_numpy().argmax())
        first = int((df["encounter_id"] == df["encounter_id"].iloc[row]).to_numpy().argmax())
        raise InputError(
            f"{where}:{row + 2}: encounter_id repeats row {first + 2}; each encounter appears once, "
            "remove the duplicate"
        )
    bad = ~df["age"].fillna("").str.fullmatch(r"\[\d+-\d+\)")
    if bad.any():
        row = int(bad.to_numpy().argmax()) + 2
        raise InputError(f"{where}:{row}: age is not a bracket like [70-80); fix or remove that row")
    bad = ~df["readmitted"].isin(["<30", ">30", "NO"])
    if bad.any():
        row = int(bad.to_numpy().argmax()) + 2
        raise InputError(
            f"{where}:{row}: readmitted is {df['readmitted'].iloc[row - 2]!r}; expected one of <30, >30, NO"
        )
    return df
