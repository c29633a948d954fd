"""Load a FHIR Bulk Data export into flat per-resource-type DataFrames of raw values.

Only the fields ingest needs are kept; identifiers other than resource ids never leave here
(and ids are pseudonymised downstream). Other resource types in the export are skipped.
"""

from __future__ import annotations

import importlib.util
import math
from pathlib import Path

import pandas as pd

from readmit.data.codes import ICD10, LOINC, SNOMED
from readmit.data.ndjson import export_files, read_resources
from readmit.errors import InputError


def _ref(value: dict | None) -> str | None:
    ref = (value or {}).get("reference") or ""
    return ref.rsplit("/", 1)[-1].removeprefix("urn:uuid:") or None


def _coding(concept: dict | None, prefer: tuple[str, ...] = ()) -> dict:
    codings = (concept or {}).get("coding") or []
    for system in prefer:
        for coding in codings:
            if coding.get("system") == system:
                return coding
    return codings[0] if codings else {}


def _patient(r: dict) -> dict:
    race = ethnicity = None
    for ext in r.get("extension") or []:
        inner = [e for e in ext.get("extension") or [] if e.get("url") == "ombCategory"]
        code = inner[0].get("valueCoding", {}).get("code") if inner else None
        if ext.get("url", "").endswith("us-core-race"):
            race = code
        elif ext.get("url", "").endswith("us-core-ethnicity"):
            ethnicity = code
    address = (r.get("address") or [{}])[0]
    return {
        "patient_id": r["id"],
        "birth_date": r.get("birthDate"),
        "deceased": r.get("deceasedDateTime"),
        "gender": r.get("gender"),
        "postal_code": address.get("postalCode"),
        "race": race,
        "ethnicity": ethnicity,
    }


def _encounter(r: dict) -> dict:
    period = r["period"]
    hosp = r.get("hospitalization") or {}
    return {
        "encounter_id": r["id"],
        "patient_id": _ref(r["subject"]),
        "class": r["class"].get("code"),
        "start": period["start"],
        "end": period.get("end"),
        "priority": _coding(r.get("priority")).get("code"),
        "disposition": _coding(hosp.get("dischargeDisposition")).get("code"),
        "type": _coding((r.get("type") or [{}])[0]).get("code"),
    }


def _condition(r: dict) -> dict:
    coding = _coding(r["code"], prefer=(ICD10, SNOMED))
    return {
        "patient_id": _ref(r["subject"]),
        "encounter_id": _ref(r.get("encounter")),
        "system": coding.get("system"),
        "code": coding.get("code"),
    }


def _medication(r: dict) -> dict:
    coding = _coding(r.get("medicationCodeableConcept"))
    return {
        "patient_id": _ref(r["subject"]),
        "encounter_id": _ref(r.get("encounter")),
        "code": coding.get("code") or "unknown",
    }


def _procedure(r: dict) -> dict:
    return {
        "patient_id": _ref(r["subject"]),
        "encounter_id": _ref(r.get("encounter")),
        "code": _coding(r["code"]).get("code"),
    }


def _observation(r: dict) -> dict:
    quantity = r.get("valueQuantity") or {}
    return {
        "patient_id": _ref(r["subject"]),
        "encounter_id": _ref(r.get("encounter")),
        "code": _coding(r["code"], prefer=(LOINC,)).get("code"),
        "value": quantity.get("value"),
        "unit": quantity.get("unit") or quantity.get("code"),
        "effective": r.get("effectiveDateTime") or (r.get("effectivePeriod") or {}).get("start"),
    }


PARSERS = {
    "Patient": _patient,
    "Encounter": _encounter,
    "Condition": _condition,
    "MedicationRequest": _medication,
    "Procedure": _procedure,
    "Observation": _observation,
}
REQUIRED = {
    "Patient": "id",
    "Encounter": "id, subject, class, period.start",
    "Condition": "subject, code",
    "MedicationRequest": "subject",
    "Procedure": "subject, code",
    "Observation": "subject, code",
}


def columns(name: str) -> list[str]:
    """The columns of the frame `read_export` gives for resource type `name` (without `src`)."""
    return list(PARSERS[name](_EMPTY[name]).keys())


# Where each flat field comes from, for error messages; every field but `value` is FHIR text.
FIELDS = {
    "patient_id": "id or subject.reference",
    "encounter_id": "id or encounter.reference",
    "birth_date": "birthDate",
    "deceased": "deceasedDateTime",
    "gender": "gender",
    "postal_code": "address[0].postalCode",
    "race": "extension us-core-race ombCategory code",
    "ethnicity": "extension us-core-ethnicity ombCategory code",
    "class": "class.code",
    "start": "period.start",
    "end": "period.end",
    "priority": "priority.coding[0].code",
    "disposition": "hospitalization.dischargeDisposition.coding[0].code",
    "type": "type[0].coding[0].code",
    "system": "code.coding.system",
    "code": "code.coding.code",
    "value": "valueQuantity.value",
    "unit": "valueQuantity.unit",
    "effective": "effectiveDateTime",
}


def _check_types(row: dict, where: str, name: str) -> None:
    """FHIR's JSON types: text fields are strings, a quantity's value a finite number (not a boolean)."""
    for field, value in row.items():
        if value is None:
            continue
        if field == "value":
            ok = isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)
            expected = "a finite JSON number"
        else:
            ok, expected = isinstance(value, str) and value != "", "a non-empty JSON string"
        if not ok:
            # The value is not echoed: it may be a name, a date of birth or an identifier (PHI).
            raise InputError(
                f"{where}: {name}.{FIELDS.get(field, field)} is not {expected}; fix or drop that resource"
            )


def _known_type(name: str) -> bool:
    return importlib.util.find_spec(f"fhir.resources.R4B.{name.lower()}") is not None


def read_export(directory: Path) -> tuple[dict[str, pd.DataFrame], list[Path]]:
    """Return ({resourceType: frame} for PARSERS' types, every data file read).

    Each row keeps `src` ("<file>:<line>") so later value errors can point at the resource."""
    files = export_files(Path(directory))
    for name, paths in files.items():
        if not _known_type(name):
            raise InputError(
                f"{paths[0]}:1: unknown resourceType {name!r} in the file name; "
                "name files <ResourceType>.<n>.ndjson[.gz] after FHIR R4 resource types"
            )
    if "Patient" not in files or "Encounter" not in files:
        raise InputError(f"{directory}: no Patient or no Encounter file; a readmission export needs both")
    frames, used = {}, []
    for name, parser in PARSERS.items():
        rows = []
        for path in files.get(name, []):
            used.append(path)
            where = str(path)
            for lineno, resource in read_resources(path, name):
                try:
                    row = parser(resource)
                except (KeyError, TypeError, AttributeError, IndexError):
                    raise InputError(
                        f"{path}:{lineno}: {name} lacks a required field ({REQUIRED[name]}) or has one of "
                        "the wrong JSON type; fix or drop that resource"
                    ) from None
                _check_types(row, f"{path}:{lineno}", name)
                row["file"], row["line"] = where, lineno
                rows.append(row)
        frame = pd.DataFrame(rows, columns=[*columns(name), "file", "line"])
        frames[name] = frame.assign(src=frame["file"] + ":" + frame["line"].astype(str)).drop(
            columns=["file", "line"]
        )
    return frames, used


_EMPTY = {
    "Patient": {"id": ""},
    "Encounter": {"id": "", "subject": {}, "class": {}, "period": {"start": ""}},
    "Condition": {"subject": {}, "code": {}},
    "MedicationRequest": {"subject": {}},
    "Procedure": {"subject": {}, "code": {}},
    "Observation": {"subject": {}, "code": {}},
}
