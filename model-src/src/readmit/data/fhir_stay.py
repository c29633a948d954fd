"""One stay being discharged now -> its index row, without pandas (the CDS Hooks service, per request).

The same rules and code tables as `fhir_ingest.to_encounters(frames, live_index=...)` followed by
`tables.build` (codes maps, `deid` age cap / band / ZIP3 / keyed pseudonyms, `tables` JSON writers and
history items, `window`'s history window), applied to the few rows of one patient's last year instead of
a whole export: pandas' per-call overhead costs ~80 ms for one stay, this ~1 ms.
`tests/data/test_fhir_stay.py` holds it equal, column by column, to that pandas path on edge cases, and
`tests/traffic/test_skew.py` to ingest of the whole Synthea export on every stay.

Input: `fhir_read` rows ({kind: [row dict + "src"]}), one patient, the live encounter among them. Day 0
is the earliest encounter given (readmit.traffic.prefetch passes the patient's first one, as ingest's
origin); only the encounters in the stay's history window become its history and `encounter_seq`.
Times follow pandas' arithmetic exactly: nanosecond deltas divided as float64, numpy rounding for labs.
"""

from __future__ import annotations

import math
import re
from datetime import UTC, datetime, timedelta

import numpy as np
import pandas as pd

from readmit.data import codes, fhir_ingest, tables, window
from readmit.data.deid import age_band, cap_age, pseudonym, zip3
from readmit.data.fhir_ingest import dx_code
from readmit.errors import InputError
from readmit.schema import INDEX_COLUMNS

# fhir_ingest's time constants, in the units this module computes with
NS_PER_DAY = fhir_ingest.DAY.value
NS_PER_YEAR = fhir_ingest.YEAR.value
PRIOR_WINDOW = fhir_ingest.PRIOR_WINDOW.to_pytimedelta()
BIRTH_SLACK = fhir_ingest.BIRTH_SLACK.to_pytimedelta()
# ISO 8601 extended forms datetime.fromisoformat reads as pandas does; anything else goes to pandas.
_PLAIN_ISO = re.compile(r"\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:\d{2})?)?")


def parse_time(value, where: str, field: str) -> datetime | None:
    """fhir_ingest._time for one value: UTC-aware, None for None, InputError for a bad value."""
    if value is None:
        return None
    if isinstance(value, str) and _PLAIN_ISO.fullmatch(value):
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            parsed = None  # e.g. month 13: pandas decides, as in ingest
        if parsed is not None:
            return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed
    stamp = pd.to_datetime(pd.Series([value]), utc=True, errors="coerce", format="ISO8601").iloc[0]
    if pd.isna(stamp):
        # The value itself is not echoed: it may be a birth or death date (PHI).
        raise InputError(f"{where}: {field} is not an ISO 8601 date-time; fix it (e.g. 2020-01-31T10:00:00Z)")
    return stamp.to_pydatetime()


def _ns(delta: timedelta) -> int:
    return (delta.days * 86_400 + delta.seconds) * 10**9 + delta.microseconds * 1_000


def _days(later: datetime | None, earlier: datetime | None) -> float:
    """(later - earlier) / 1 day as pandas computes it (float64 nanoseconds / float64); NaN for None."""
    if later is None or earlier is None:
        return math.nan
    return float(_ns(later - earlier)) / float(NS_PER_DAY)


def _unique(rows: list[dict], value) -> dict[str, list]:
    """fhir_ingest._per_encounter: encounter id -> unique values in input order."""
    out: dict[str, dict] = {}
    for row in rows:
        if isinstance(row["encounter_id"], str):
            out.setdefault(row["encounter_id"], {})[value(row)] = None
    return {enc_id: list(items) for enc_id, items in out.items()}


def _labs(observations: list[dict], day0: datetime, ends: dict[str, datetime | None]):
    """fhir_ingest._labs for one patient: (labs per encounter, lab count per encounter)."""
    points = []
    times = [parse_time(r["effective"], r["src"], "Observation.effectiveDateTime") for r in observations]
    for row, when in zip(observations, times, strict=True):
        lab = codes.LABS.get(row["code"])
        if lab is None or row["encounter_id"] is None or row["value"] is None:
            continue
        scale, offset = fhir_ingest.unit_factor(lab, row["unit"])
        value = float(np.float64(row["value"]) * scale + offset)
        day = _days(when, day0)
        if math.isnan(day) or not math.isfinite(value):
            continue  # unplaced
        end = ends.get(row["encounter_id"])
        if end is not None and when > end:
            continue  # after its encounter ended
        points.append((day, row["encounter_id"], lab, value))
    points.sort(key=lambda p: p[0])  # stable, as sort_values(kind="stable")
    labs: dict[str, dict] = {}
    counts: dict[str, int] = {}
    for day, enc_id, lab, value in points:
        pair = [float(np.round(day, 4)), float(np.round(value, 3))]
        labs.setdefault(enc_id, {}).setdefault(lab, []).append(pair)
        counts[enc_id] = counts.get(enc_id, 0) + 1
    return labs, counts


def _encounters(rows: dict[str, list[dict]]) -> list[dict]:
    seen, out = set(), []
    for r in rows["Encounter"]:
        if r["encounter_id"] in seen:
            continue
        seen.add(r["encounter_id"])
        start = parse_time(r["start"], r["src"], "Encounter.period.start")
        end = parse_time(r["end"], r["src"], "Encounter.period.end")
        if start is not None and end is not None and end < start:
            raise fhir_ingest.backwards_period(r["src"], 1)
        out.append({**r, "start": start, "end": end, "cls": codes.CLASS.get(r["class"], "other")})
    return out


def _prior(current: dict, encounters: list[dict]) -> dict[str, int]:
    """fhir_ingest._prior_counts for the live encounter (every encounter of the patient, itself included)."""
    counts = dict.fromkeys(fhir_ingest.PRIOR_CLASSES, 0)
    start = current["start"]
    for e in encounters:
        if start is None or e["start"] is None or e["end"] is None or e["cls"] not in counts:
            continue  # NaT compares False in pandas
        if e["end"] <= start and e["start"] >= start - PRIOR_WINDOW:
            counts[e["cls"]] += 1
    return {f"prior_{cls}_365d": n for cls, n in counts.items()}


def status(patient: dict, current: dict) -> str:
    """fhir_ingest's index status of the live stay: "index", "no_birth_date" or "birth_after_admission"."""
    birth = parse_time(patient["birth_date"], patient["src"], "Patient.birthDate")
    if birth is None:
        return "no_birth_date"
    if current["start"] is not None and birth > current["start"] + BIRTH_SLACK:
        return "birth_after_admission"
    return "index"


def index_row(rows: dict[str, list[dict]], live_index: str, key: bytes) -> tuple[dict, str]:
    """(the live stay's row of INDEX_COLUMNS as Python values, its status). `rows` hold one patient."""
    patient = rows["Patient"][0]
    encounters = _encounters(rows)
    day0 = min(e["start"] for e in encounters if e["start"] is not None)
    parse_time(patient["deceased"], patient["src"], "Patient.deceasedDateTime")  # ingest checks it too
    ends = {e["encounter_id"]: e["end"] for e in encounters}
    dx = _unique(rows["Condition"], lambda r: dx_code(r["system"], r["code"]))
    meds = _unique(rows["MedicationRequest"], lambda r: r["code"])
    procs = _unique(rows["Procedure"], lambda r: r["code"])
    labs, n_labs = _labs(rows["Observation"], day0, ends)
    for pos, e in enumerate(encounters):
        e["_pos"], e["admit_day"] = pos, _days(e["start"], day0)
        e["discharge_day"], e["los_days"] = _days(e["end"], day0), _days(e["end"], e["start"])
    live = next(e for e in encounters if e["encounter_id"] == live_index)
    # the stay and its history window (fhir_ingest._windows; an admission without a start has none)
    members = [
        e
        for e in encounters
        if e is live or (live["start"] is not None and window.in_window(e["start"], e["end"], live["start"]))
    ]
    # tables.order: by admission, then input order; NaN admissions last, as sort_values puts them
    ordered = sorted(members, key=lambda e: (math.isnan(e["admit_day"]), e["admit_day"], e["_pos"]))
    position = next(i for i, e in enumerate(ordered) if e["encounter_id"] == live_index)
    current = ordered[position]
    items = []
    for seq, e in enumerate(ordered[:position]):
        if e["discharge_day"] <= current["admit_day"]:  # NaN compares False, as in tables._histories
            items.append(
                tables.item_json(
                    seq,
                    e["cls"],
                    e["admit_day"],
                    e["discharge_day"],
                    e["los_days"],
                    tables.dumps_codes(dx.get(e["encounter_id"], [])),
                    tables.dumps_codes(meds.get(e["encounter_id"], [])),
                    tables.dumps_codes(procs.get(e["encounter_id"], [])),
                    tables.dumps(labs.get(e["encounter_id"], {})),
                )
            )
    enc_id = current["encounter_id"]
    birth = parse_time(patient["birth_date"], patient["src"], "Patient.birthDate")
    years = int(float(_ns(current["start"] - birth)) / float(NS_PER_YEAR)) if birth is not None else -1
    age = cap_age(years)
    row = {
        "patient_key": pseudonym(key, current["patient_id"]),
        "encounter_key": pseudonym(key, enc_id),
        "source": "fhir",
        "encounter_seq": position,
        "admit_day": current["admit_day"],
        "discharge_day": current["discharge_day"],
        "los_days": current["los_days"],
        "age": age,
        "age_band": age_band(age),
        "sex": fhir_ingest.sex(patient["gender"]),
        "race": fhir_ingest.race(patient["race"], patient["ethnicity"]),
        "zip3": zip3(patient["postal_code"]),
        "admission_acuity": codes.ACUITY.get(current["priority"], "unknown"),
        "discharge_disposition": codes.DISPOSITION.get(current["disposition"], "unknown"),
        "dx_system": "icd10",
        "dx_codes": tables.dumps_codes(dx.get(enc_id, [])),
        "med_codes": tables.dumps_codes(meds.get(enc_id, [])),
        "proc_codes": tables.dumps_codes(procs.get(enc_id, [])),
        "n_lab_procedures": n_labs.get(enc_id, 0),
        "n_procedures": len(procs.get(enc_id, [])),
        "n_medications": len(meds.get(enc_id, [])),
        **_prior(current, encounters),
        "labs": tables.dumps(labs.get(enc_id, {})),
        "extra": tables.dumps(fhir_ingest.extra(current["type"])),
        "history": "[" + ",".join(items) + "]",
        "label": 0,  # the future of a stay being discharged now is unknown
    }
    return row, status(patient, current)


def frame(row: dict) -> pd.DataFrame:
    """The one-row frame `tables.build` gives (INDEX_COLUMNS, in order, with their dtypes)."""
    dtypes = {"int": "int64", "float": "float64"}
    return pd.DataFrame(
        {c: np.array([row[c]], dtype=dtypes.get(family, object)) for c, family in INDEX_COLUMNS.items()}
    )
