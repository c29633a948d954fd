"""fhir_stay (one live stay, no pandas) gives exactly the row of ingest's pandas path
(fhir_ingest.to_encounters(..., live_index) + tables.build) on the same fhir_read rows."""

from __future__ import annotations

import copy

import pandas as pd
import pytest

from data._ingest_path import ingest_path
from readmit.data import codes, fhir_read, fhir_stay
from readmit.errors import InputError

KEY = b"fhir-stay-test-key-0123456789"
LIVE = "e-live"


def assert_same(found: dict[str, list[dict]], live: str = LIVE) -> str:
    want, want_status = ingest_path(copy.deepcopy(found), live, KEY)
    row, status = fhir_stay.index_row(copy.deepcopy(found), live, KEY)
    assert status == want_status
    if status == "index":
        pd.testing.assert_frame_equal(fhir_stay.frame(row), want, check_exact=True)
    return status


def _enc(i, start, end, cls="IMP", **more) -> dict:
    row = dict.fromkeys(fhir_read.columns("Encounter"))
    row |= {"encounter_id": i, "patient_id": "p1", "class": cls, "start": start, "end": end, "src": f"e:{i}"}
    return row | more


def _row(kind: str, n: int, **values) -> dict:
    return dict.fromkeys(fhir_read.columns(kind)) | {"patient_id": "p1", "src": f"{kind}:{n}"} | values


def patient(**more) -> dict:
    base = {"birth_date": "1950-06-15", "gender": "female", "postal_code": "02139", "race": "2106-3"}
    return _row("Patient", 0, **base) | more


def stay(**changes) -> dict[str, list[dict]]:
    """A live inpatient stay with a year of varied history, labs, conditions and medications."""
    found = {
        "Patient": [patient()],
        "Encounter": [
            _enc(LIVE, "2024-03-10T08:00:00Z", "2024-03-14T17:30:00+01:00", priority="EM", type="183452005"),
            _enc("e1", "2023-04-01T10:00:00Z", "2023-04-05T10:00:00Z", disposition="01", priority="EL"),
            _enc("e2", "2023-12-24T23:59:59.5-05:00", "2023-12-25T01:00:00-05:00", cls="EMER"),
            _enc("e3", "2024-02-01", "2024-02-01", cls="AMB"),
            _enc("e4", "2024-02-01", None, cls="AMB"),
            _enc("e5", "2024-03-01T00:00:00Z", "2024-03-11T00:00:00Z"),  # overlaps the live stay
            _enc("e1", "2023-05-01T10:00:00Z", "2023-05-05T10:00:00Z"),  # duplicate id: first wins
        ],
        "Condition": [
            _row("Condition", 1, encounter_id=LIVE, system=codes.ICD10, code="I50.9"),
            _row("Condition", 2, encounter_id=LIVE, system=codes.SNOMED, code="44054006"),
            _row("Condition", 3, encounter_id=LIVE, system=codes.SNOMED, code="160903007"),
            _row("Condition", 4, encounter_id=LIVE, system=codes.ICD10, code="I50.9"),
            _row("Condition", 5, encounter_id="e1", system=None, code=None),
            _row("Condition", 6, encounter_id=None, system=codes.ICD10, code="E11.9"),
        ],
        "MedicationRequest": [
            _row("MedicationRequest", 1, encounter_id=LIVE, code="860975"),
            _row("MedicationRequest", 2, encounter_id=LIVE, code="860975"),
            _row("MedicationRequest", 3, encounter_id="e2", code='odd"code'),
        ],
        "Procedure": [_row("Procedure", 1, encounter_id="e1", code="0BH17EZ")],
        "Observation": [
            _row("Observation", i, encounter_id=enc, code=code, value=value, unit=unit, effective=when)
            for i, (enc, code, value, unit, when) in enumerate(
                [
                    (LIVE, "2160-0", 1.3, "mg/dL", "2024-03-12T06:00:00Z"),
                    (LIVE, "2160-0", 120, "umol/L", "2024-03-11T06:00:00.123456Z"),
                    (LIVE, "2160-0", 1.1, "mg/dL", "2024-03-20T06:00:00Z"),  # after the stay ended
                    (LIVE, "2160-0", 1.0, "mg/dL", None),  # no time: unplaced
                    (LIVE, "718-7", 13.5, "g/dL", "2024-03-11T06:00:00Z"),
                    (LIVE, "8867-4", 72, "/min", "2024-03-11T06:00:00Z"),  # not a lab
                    ("e1", "2823-3", 4.1, "mmol/L", "2023-04-02T06:00:00Z"),
                    ("e1", "2160-0", None, "mg/dL", "2023-04-02T06:00:00Z"),  # no value
                ]
            )
        ],
    }
    for kind, value in changes.items():
        found[kind] = value
    return found


def test_a_rich_stay_gives_ingests_row():
    assert assert_same(stay()) == "index"


@pytest.mark.parametrize(
    "changes",
    [
        {"birth_date": "1930-01-01"},  # over 89: age 90
        {"birth_date": "2024-03-10"},  # born on the day of admission
        {"gender": "other", "race": None, "ethnicity": codes.HISPANIC, "postal_code": "03601"},
        {"postal_code": None, "race": "2054-5", "deceased": "2030-01-01T00:00:00Z"},
    ],
)
def test_demographics_give_ingests_row(changes):
    assert assert_same(stay(Patient=[patient(**changes)])) == "index"


def test_a_stay_alone_and_a_zero_length_stay_give_ingests_row():
    alone = stay()
    alone["Encounter"] = alone["Encounter"][:1]
    assert_same(alone)
    zero = stay()
    zero["Encounter"][0] = _enc(LIVE, "2024-03-10T08:00:00Z", "2024-03-10T08:00:00Z")
    assert_same(zero)  # it ended by its own start, so ingest counts it among its own prior stays


def test_exclusions_are_ingests():
    assert assert_same(stay(Patient=[patient(birth_date=None)])) == "no_birth_date"
    assert assert_same(stay(Patient=[patient(birth_date="2024-03-12")])) == "birth_after_admission"


@pytest.mark.parametrize(
    ("where", "field", "value"),
    [
        ("Encounter", "end", "yesterday"),
        ("Observation", "effective", "2024-13-45T00:00:00Z"),
        ("Patient", "birth_date", "15/06/1950"),
        ("Patient", "deceased", "soon"),
    ],
)
def test_malformed_times_fail_as_in_ingest(where, field, value):
    found = stay()
    found[where][-1 if where != "Encounter" else 1][field] = value
    with pytest.raises(InputError) as want:
        ingest_path(copy.deepcopy(found), LIVE, KEY)
    with pytest.raises(InputError) as got:
        fhir_stay.index_row(found, LIVE, KEY)
    assert str(got.value).split(":")[0] == str(want.value).split(":")[0]
    assert value not in str(got.value)


def test_a_backwards_period_fails_as_in_ingest():
    found = stay()
    found["Encounter"][1]["end"] = "2023-03-01T00:00:00Z"
    with pytest.raises(InputError, match="e:e1: Encounter.period.end is before"):
        ingest_path(copy.deepcopy(found), LIVE, KEY)
    with pytest.raises(InputError, match="e:e1: Encounter.period.end is before"):
        fhir_stay.index_row(found, LIVE, KEY)


@pytest.mark.parametrize(
    "value",
    ["2024-03-10", "2024-03-10T08:00", "2024-03-10T08:00:00.5+05:30", "2024-03-10T08:00:00Z", "2024-03"],
)
def test_times_parse_as_pandas_does(value):
    want = pd.to_datetime(pd.Series([value]), utc=True, format="ISO8601").iloc[0]
    assert fhir_stay.parse_time(value, "x", "f") == want.to_pydatetime()
