"""A CDS Hooks `encounter-discharge` request's prefetch (FHIR R4) -> the index row that ingest would write
for the stay being discharged, through ingest's own code: readmit.data.fhir_read's resource parsers and
type checks, then readmit.data.fhir_stay (ingest's rules for one live stay: ages, ZIP3, relative days,
labs, prior counts, keyed pseudonyms, history). The pseudonym key is the service's (a Secret in the
cluster, READMIT_PSEUDONYM_KEY locally), never the request's.

The EHR sends a patient's whole record: CDS Hooks 2.0 prefetch tokens name only context fields, so a
template cannot ask for "the last year" (readmit.traffic.cards). The request is therefore read lazily
(msgspec): each resource is first peeked at for the few fields that place it (type, subject, encounter,
Encounter.period.start), and only the resources of the year before this admission (readmit.data.window,
the rule FHIR ingest builds every training row with) are decoded whole and checked with ingest's parsers.
A resource outside the year is checked only for those placing fields; of the encounters outside it, only
the patient's first one is read, as the origin of the row's day counts.

Errors name the prefetch key and entry, never a value (a value may be PHI).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import msgspec
import pandas as pd

from readmit.data import codes, fhir_read, fhir_stay, window
from readmit.errors import InputError

# prefetch key -> the FHIR resource type it holds (CDS Hooks 2.0: a resource or a searchset Bundle)
KEYS = {
    "patient": "Patient",
    "encounter": "Encounter",
    "encounters": "Encounter",
    "conditions": "Condition",
    "medications": "MedicationRequest",
    "procedures": "Procedure",
    "observations": "Observation",
}
REQUIRED = ("patient", "encounter")
NULL = msgspec.Raw(b"null")


class Unscorable(Exception):
    """A well-formed request for a stay the model cannot score (answered with no card and the reason)."""


class MissingPrefetch(Exception):
    """A required prefetch key is absent or null: CDS Hooks 2.0 says 412 Precondition Failed."""


@dataclass(frozen=True)
class Stay:
    index: pd.DataFrame  # one row, readmit.schema.INDEX_COLUMNS
    missing: tuple[str, ...]  # optional prefetch keys the client did not satisfy


class Hook(msgspec.Struct):
    """The request's top level; `prefetch` stays undecoded until `stay` reads it."""

    hook: object = None
    context: object = None
    prefetch: msgspec.Raw = NULL


class _Top(msgspec.Struct):
    resourceType: object = None
    entry: msgspec.Raw = NULL


# The thousands of entries and peeks of one request are never part of a reference cycle, so they are
# kept out of the garbage collector (msgspec `gc=False`): fewer collections while a request is read.
class _Entry(msgspec.Struct, gc=False):
    resource: msgspec.Raw = NULL


class _Bundle(msgspec.Struct, gc=False):
    """A prefetch value with its entries split in the same sweep."""

    resourceType: object = None
    entry: list[_Entry] | None = None


class _Prefetch(msgspec.Struct):
    """The prefetch of a well-formed request: the two resources kept undecoded, the searchset Bundles
    split into entries, in the sweep that reads the request (each sweep over a patient's record costs
    about a third of its decoding; ~2.7 MB for 708 encounters)."""

    patient: msgspec.Raw = NULL
    encounter: msgspec.Raw = NULL
    encounters: _Bundle | None = None
    conditions: _Bundle | None = None
    medications: _Bundle | None = None
    procedures: _Bundle | None = None
    observations: _Bundle | None = None


class _Split(msgspec.Struct):
    """`read`'s first try: the request with its prefetch split as `_Prefetch`."""

    hook: object = None
    context: object = None
    prefetch: _Prefetch | None = None


class _Reference(msgspec.Struct, gc=False):
    reference: object = None


class _Period(msgspec.Struct, gc=False):
    start: object = None
    end: object = None


class _Peek(msgspec.Struct, gc=False):
    """The fields that place a resource: whose, which encounter, when (Encounter)."""

    resourceType: object = None
    id: object = None
    subject: _Reference | None = None
    encounter: _Reference | None = None
    period: _Period | None = None


_HOOK = msgspec.json.Decoder(Hook)
_SPLIT = msgspec.json.Decoder(_Split)
_PREFETCH = msgspec.json.Decoder(dict[str, msgspec.Raw] | None)
_TOP = msgspec.json.Decoder(_Top | None)
_ENTRIES = msgspec.json.Decoder(list[_Entry] | None)
_PEEK = msgspec.json.Decoder(_Peek)
_RESOURCE = msgspec.json.Decoder(dict)


def _searchset(value) -> bool:
    return value is None or value.resourceType == "Bundle"


def read(body: bytes) -> Hook:
    """The request body's top level (InputError when it is not a JSON object). Its `prefetch` is split
    by key in the same sweep when it is an object (each sweep of a 2.7 MB request costs ~1.5 ms CPU),
    else left undecoded for `stay` to refuse."""
    try:
        split = _SPLIT.decode(body)
    except msgspec.DecodeError:
        pass  # not of that shape: read as it comes, and `stay` names what is wrong
    else:
        found = split.prefetch
        values = {k: getattr(found, k) for k in KEYS} if found is not None else None
        if values is None or all(_searchset(values[k]) for k in KEYS if k not in REQUIRED):
            return Hook(split.hook, split.context, NULL if values is None else values)
    try:
        return _HOOK.decode(body)
    except msgspec.ValidationError:  # a subclass of DecodeError: JSON, but not an object
        raise InputError("the request body is not a CDS Hooks request object") from None
    except msgspec.DecodeError:
        raise InputError("the request body is not JSON") from None


@dataclass(slots=True)
class _Item:
    key: str  # the prefetch key
    entry: int | None  # the position in its Bundle, None for a bare resource
    peek: _Peek
    source: msgspec.Raw | dict

    @property
    def where(self) -> str:
        """Where the resource sits in the request (errors name it; made only when one is raised)."""
        return f"prefetch.{self.key}" if self.entry is None else f"prefetch.{self.key}.entry[{self.entry}]"

    def resource(self) -> dict:
        if isinstance(self.source, dict):
            return self.source
        return _RESOURCE.decode(self.source)


def _peek(where: str, value) -> _Peek:
    try:
        return _PEEK.decode(value) if isinstance(value, msgspec.Raw) else msgspec.convert(value, _Peek)
    except msgspec.ValidationError:
        raise InputError(
            f"{where}: not a FHIR resource, or its subject, encounter or period is not a JSON object"
        ) from None


def _decoded(value, decoder, where: str, what: str):
    if not isinstance(value, msgspec.Raw):
        return value
    try:
        return decoder.decode(value)
    except msgspec.ValidationError:
        raise InputError(f"{where}: {what}") from None


def _field(value, name: str):
    if isinstance(value, msgspec.Struct):
        return getattr(value, name)
    return value.get(name) if isinstance(value, dict) else None


def _items(key: str, value) -> list[_Item]:
    """The resources of one prefetch value (a resource, a searchset Bundle, or null), peeked at."""
    where = f"prefetch.{key}"
    if isinstance(value, _Bundle):  # split by `read`
        return _peeked(key, value.entry or [])
    top = _decoded(value, _TOP, where, "not a FHIR resource or Bundle")
    if top is None:
        return []
    if not isinstance(top, _Top | dict):
        raise InputError(f"{where}: not a FHIR resource or Bundle")
    kind = _field(top, "resourceType")
    if kind == "OperationOutcome":
        return []
    if kind != "Bundle":
        return [_Item(key, None, _peek(where, value), value)]
    entries = _decoded(_field(top, "entry"), _ENTRIES, where, "Bundle.entry is not a list of entries")
    if not isinstance(entries, list | None):
        raise InputError(f"{where}: Bundle.entry is not a list")
    return _peeked(key, entries or [])


def _peeked(key: str, entries: list) -> list[_Item]:
    """Every entry's resource peeked at, OperationOutcomes (a client's note on a failed search) left out.
    The entries of a request read as bytes are peeked in one sweep (one C call each, no Python per field,
    ~2,000 per request for a patient with a long record); anything the sweep cannot take (a missing
    resource, a malformed one, an already decoded mapping) goes through `_checked` for its exact error."""
    try:
        peeks = [_PEEK.decode(entry.resource) for entry in entries]
    except (AttributeError, TypeError, msgspec.DecodeError):
        return _checked(key, entries)
    return [
        _Item(key, i, peek, entry.resource)
        for i, (entry, peek) in enumerate(zip(entries, peeks, strict=True))
        if peek.resourceType != "OperationOutcome"
    ]


def _checked(key: str, entries: list) -> list[_Item]:
    out = []
    for i, entry in enumerate(entries):
        where = f"prefetch.{key}.entry[{i}]"
        resource = _field(entry, "resource")
        if not isinstance(resource, dict | msgspec.Raw) or resource == NULL:
            raise InputError(f"{where}: no resource")
        peek = _peek(where, resource)
        if peek.resourceType != "OperationOutcome":
            out.append(_Item(key, i, peek, resource))
    return out


def _parse(item: _Item, kind: str) -> dict:
    """The fhir_read row of a resource, checked as ingest's read_export checks it."""
    try:
        row = fhir_read.PARSERS[kind](item.resource())
    except (KeyError, TypeError, AttributeError, IndexError):
        raise InputError(
            f"{item.where}: {kind} lacks a required field ({fhir_read.REQUIRED[kind]})"
        ) from None
    fhir_read._check_types(row, item.where, kind)  # the same JSON-type checks as ingest's read_export
    return {**row, "src": item.where}


def _place(item: _Item, kind: str, field: str, known: dict[str, str | None]) -> str | None:
    """The id a Reference field names, as fhir_read._ref reads it; InputError when it is not text.
    `known`: reference text -> id, for this request (a record's thousands of resources name a few
    references: the patient and their encounters)."""
    reference = getattr(item.peek, field)
    text = reference.reference if reference is not None else None
    if type(text) is str and text in known:
        return known[text]
    try:
        found = fhir_read._ref({"reference": text} if reference is not None else None)
    except AttributeError:
        raise InputError(
            f"{item.where}: {kind} lacks a required field ({fhir_read.REQUIRED[kind]})"
        ) from None
    if type(text) is str:
        known[text] = found
    return found


def _is_null(value) -> bool:
    return value is None or (isinstance(value, msgspec.Raw) and value == NULL)


def rows(prefetch, patient_id: str, encounter_id: str, now: datetime) -> tuple[dict, tuple[str, ...]]:
    """The fhir_read rows of this patient's year before the admission (the stay itself included, and the
    patient's first encounter, which anchors day 0: outside the year, only its id and start), per
    resource type, and the optional prefetch keys the client did not satisfy."""
    if isinstance(prefetch, msgspec.Raw):
        try:
            prefetch = _PREFETCH.decode(prefetch)
        except msgspec.ValidationError:
            prefetch = None
    if not isinstance(prefetch, dict):
        raise MissingPrefetch("no prefetch object; this service needs the prefetch of GET /cds-services")
    missing = [k for k in REQUIRED if _is_null(prefetch.get(k))]
    if missing:
        raise MissingPrefetch(
            f"prefetch key(s) {', '.join(missing)} missing or null; this service does not query the FHIR "
            "server, so the client must prefetch them (see GET /cds-services)"
        )
    items = {kind: [] for kind in fhir_read.PARSERS}
    for key, kind in KEYS.items():
        for item in _items(key, prefetch.get(key)):
            if item.peek.resourceType != kind:
                raise InputError(f"{item.where}: expected a {kind}")
            items[kind].append(item)
    patients = [r for r in (_parse(i, "Patient") for i in items["Patient"]) if r["patient_id"] == patient_id]
    if not patients:
        raise InputError("prefetch.patient: not the Patient of context.patientId")
    placed, known = [], {}
    for item in items["Encounter"]:
        peek = item.peek
        if not isinstance(peek.id, str) or peek.subject is None or peek.period is None:
            raise InputError(
                f"{item.where}: Encounter lacks a required field ({fhir_read.REQUIRED['Encounter']})"
            )
        placed.append((item, _place(item, "Encounter", "subject", known)))
    stays = [item for item, _ in placed if item.peek.id == encounter_id]
    if not stays:
        raise InputError("prefetch.encounter: not the Encounter of context.encounterId")
    admission = _when(stays[0].peek.period.start, stays[0])
    kept, origin = _kept(placed, patient_id, encounter_id, admission)
    scored: dict[str, dict] = {}
    for item in kept:
        if item.peek.id == origin:  # only its start is needed (day 0): a resource outside the year
            row = dict.fromkeys(fhir_read.columns("Encounter")) | {"src": item.where}
            row |= {"encounter_id": origin, "patient_id": patient_id, "start": item.peek.period.start}
            scored[origin] = row
            continue
        row = _parse(item, "Encounter")
        if item.peek.id == encounter_id and not row["end"]:
            row["end"] = now.isoformat()  # being discharged now
        scored[row["encounter_id"]] = row
    out = {kind: [] for kind in fhir_read.PARSERS}
    out["Patient"], out["Encounter"] = patients[:1], list(scored.values())
    for kind in ("Condition", "MedicationRequest", "Procedure", "Observation"):
        for item in items[kind]:
            if item.peek.subject is None:
                raise InputError(f"{item.where}: {kind} lacks a required field ({fhir_read.REQUIRED[kind]})")
            owner = _place(item, kind, "subject", known)
            stay_id = _place(item, kind, "encounter", known)
            if owner == patient_id and stay_id in scored and stay_id != origin:
                out[kind].append(_parse(item, kind))
    optional = tuple(k for k in KEYS if k not in REQUIRED and _is_null(prefetch.get(k)))
    return out, optional


def _kept(
    placed: list, patient_id: str, encounter_id: str, admission: datetime
) -> tuple[list[_Item], str | None]:
    """The patient's encounters a row is built from, in request order: the stay itself, those in its
    history window (readmit.data.window, ingest's rule), and the patient's first encounter in the request,
    the origin of every day count as in ingest. When that one is kept only as the origin (it is neither
    the stay nor in the window, so never history) its id comes second: of it only its id and start are
    read (a resource outside the year is checked only for its placing fields), none of its resources.
    An id seen twice keeps its first resource, as ingest does."""
    seen, dated = set(), []
    for item, owner in placed:
        if owner != patient_id:
            raise InputError(f"{item.where}: an Encounter of another patient")
        if item.peek.id in seen:
            continue
        seen.add(item.peek.id)
        dated.append((item, _when(item.peek.period.start, item)))
    first = min(dated, key=lambda pair: pair[1])[0].peek.id
    kept, origin = [], first
    for item, begun in dated:
        in_window = item.peek.id == encounter_id or window.in_window(
            begun, _time(item.peek.period.end, item, "Encounter.period.end"), admission
        )
        if in_window or item.peek.id == first:
            kept.append(item)
        if in_window and item.peek.id == first:
            origin = None
    return kept, origin


def _time(value, item: _Item, field: str) -> datetime | None:
    """fhir_stay.parse_time, naming the entry only when there is an error to name it in."""
    try:
        return fhir_stay.parse_time(value, "", field)
    except InputError:
        return fhir_stay.parse_time(value, item.where, field)


def _when(value, item: _Item) -> datetime:
    when = _time(value, item, "Encounter.period.start")
    if when is None:
        raise InputError(f"{item.where}: Encounter.period.start is missing; a stay needs its start")
    return when


def stay(prefetch, patient_id: str, encounter_id: str, key: bytes, now: datetime | None = None) -> Stay:
    """The index row of the stay being discharged, or Unscorable with the reason. `prefetch`: the
    request's (undecoded, from `read`) or an already decoded mapping."""
    if _is_null(prefetch):
        raise MissingPrefetch("no prefetch object; this service needs the prefetch of GET /cds-services")
    found, missing = rows(prefetch, patient_id, encounter_id, now or datetime.now(UTC))
    row, status = fhir_stay.index_row(found, encounter_id, key)
    current = next(r for r in found["Encounter"] if r["encounter_id"] == encounter_id)
    if codes.CLASS.get(current["class"], "other") != "inpatient":
        raise Unscorable("not an inpatient stay: the model scores inpatient discharges only")
    if status == "no_birth_date":
        raise Unscorable("the Patient has no birthDate, so there is no age to score with")
    if status == "birth_after_admission":
        raise Unscorable("the Patient's birthDate is after this admission; the record needs correcting")
    return Stay(fhir_stay.frame(row), missing)
