"""A CDS Hooks `encounter-discharge` request's prefetch (FHIR R4) -> the index row that ingest would write
for the stay being discharged, through ingest's own code: readmit.data.fhir_read's resource parsers,
readmit.data.fhir_ingest.to_encounters (ages, ZIP3, relative days, labs, prior counts) and
readmit.data.tables.build (keyed pseudonyms, history). The pseudonym key is the service's (a Secret in
the cluster, READMIT_PSEUDONYM_KEY locally), never the request's.

Errors name the prefetch key and entry, never a value (a value may be PHI).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pandas as pd

from readmit.data import fhir_ingest, fhir_read, tables
from readmit.errors import InputError

# prefetch key -> the FHIR resource type it holds (CDS Hooks 2.0: a resource or a searchset Bundle)
KEYS = {
    "patient": "Patient",
    "encounter": "Encounter",
    "encounters": "Encounter",
    "conditions": "Condition",
    "medications": "MedicationRequest",
    "observations": "Observation",
}
REQUIRED = ("patient", "encounter")
HISTORY_DAYS = 365


class Unscorable(Exception):
    """A well-formed request for a stay the model cannot score (answered with no card and the reason)."""


class MissingPrefetch(Exception):
    """A required prefetch key is absent or null: CDS Hooks 2.0 says 412 Precondition Failed."""


@dataclass(frozen=True)
class Stay:
    index: pd.DataFrame  # one row, readmit.schema.INDEX_COLUMNS
    missing: tuple[str, ...]  # optional prefetch keys the client did not satisfy


def _resources(key: str, value) -> list[tuple[str, dict]]:
    """(where, resource) pairs of one prefetch value: a resource, a searchset Bundle, or null."""
    if value is None:
        return []
    if not isinstance(value, dict):
        raise InputError(f"prefetch.{key}: not a FHIR resource or Bundle")
    if value.get("resourceType") == "Bundle":
        entries = value.get("entry") or []
        if not isinstance(entries, list):
            raise InputError(f"prefetch.{key}: Bundle.entry is not a list")
        out = []
        for i, entry in enumerate(entries):
            resource = entry.get("resource") if isinstance(entry, dict) else None
            if not isinstance(resource, dict):
                raise InputError(f"prefetch.{key}.entry[{i}]: no resource")
            if resource.get("resourceType") != "OperationOutcome":  # a client's note on a failed search
                out.append((f"prefetch.{key}.entry[{i}]", resource))
        return out
    if value.get("resourceType") == "OperationOutcome":
        return []
    return [(f"prefetch.{key}", value)]


def _rows(key: str, value) -> list[dict]:
    kind = KEYS[key]
    parser = fhir_read.PARSERS[kind]
    rows = []
    for where, resource in _resources(key, value):
        if resource.get("resourceType") != kind:
            raise InputError(f"{where}: expected a {kind}")
        try:
            row = parser(resource)
        except (KeyError, TypeError, AttributeError, IndexError):
            raise InputError(f"{where}: {kind} lacks a required field ({fhir_read.REQUIRED[kind]})") from None
        fhir_read._check_types(row, where, kind)  # the same JSON-type checks as ingest's read_export
        rows.append({**row, "src": where})
    return rows


def frames(prefetch: dict, patient_id: str, encounter_id: str, now: datetime) -> tuple[dict, tuple[str, ...]]:
    """The per-type frames that fhir_read.read_export would give for this patient (last year only)."""
    missing = [k for k in REQUIRED if prefetch.get(k) is None]
    if missing:
        raise MissingPrefetch(
            f"prefetch key(s) {', '.join(missing)} missing or null; this service does not query the FHIR "
            "server, so the client must prefetch them (see GET /cds-services)"
        )
    rows = {kind: [] for kind in fhir_read.PARSERS}
    for key in KEYS:
        rows[KEYS[key]].extend(_rows(key, prefetch.get(key)))
    patients = [r for r in rows["Patient"] if r["patient_id"] == patient_id]
    if not patients:
        raise InputError("prefetch.patient: not the Patient of context.patientId")
    stays = [r for r in rows["Encounter"] if r["encounter_id"] == encounter_id]
    if not stays:
        raise InputError("prefetch.encounter: not the Encounter of context.encounterId")
    for r in rows["Encounter"]:
        if r["encounter_id"] == encounter_id and not r["end"]:
            r["end"] = now.isoformat()  # being discharged now
    start = _when(stays[0]["start"], stays[0]["src"])
    kept = {}
    for r in rows["Encounter"]:
        if r["patient_id"] != patient_id:
            raise InputError(f"{r['src']}: an Encounter of another patient")
        current = r["encounter_id"] == encounter_id
        begun = _when(r["start"], r["src"])
        if current or start - timedelta(days=HISTORY_DAYS) <= begun < start:  # the year before, no future
            kept.setdefault(r["encounter_id"], r)
    rows["Encounter"] = list(kept.values())
    for kind in ("Condition", "MedicationRequest", "Observation", "Procedure"):
        rows[kind] = [r for r in rows[kind] if r["patient_id"] == patient_id and r["encounter_id"] in kept]
    out = {}
    for kind in fhir_read.PARSERS:
        columns = [*fhir_read.columns(kind), "src"]
        out[kind] = pd.DataFrame(patients[:1] if kind == "Patient" else rows[kind], columns=columns)
    optional = tuple(k for k in KEYS if k not in REQUIRED and prefetch.get(k) is None)
    return out, optional


def _when(value, where: str) -> datetime:
    try:
        parsed = pd.Timestamp(value)
    except (ValueError, TypeError):
        raise InputError(f"{where}: period.start is not an ISO 8601 date-time") from None
    return (parsed.tz_localize(UTC) if parsed.tzinfo is None else parsed).to_pydatetime()


def stay(prefetch, patient_id: str, encounter_id: str, key: bytes, now: datetime | None = None) -> Stay:
    """The index row of the stay being discharged, or Unscorable with the reason."""
    if not isinstance(prefetch, dict):
        raise MissingPrefetch("no prefetch object; this service needs the prefetch of GET /cds-services")
    found, missing = frames(prefetch, patient_id, encounter_id, now or datetime.now(UTC))
    enc, _ = fhir_ingest.to_encounters(found, live_index=encounter_id)
    enc["source"] = "fhir"
    current = enc.loc[enc["encounter_id"] == encounter_id].iloc[0]
    if current["encounter_class"] != "inpatient":
        raise Unscorable("not an inpatient stay: the model scores inpatient discharges only")
    if current["status"] == "no_birth_date":
        raise Unscorable("the Patient has no birthDate, so there is no age to score with")
    if current["los_days"] < 0:
        raise Unscorable("the Encounter ends before it starts")
    index, _ = tables.build(enc, key)
    return Stay(index, missing)
