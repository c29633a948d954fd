"""FHIR ingest's rules pinned value by value on hand-made fhir_read rows, in memory (no files, no ../shared):
the sex and race mapping, the encounter-type extension, the backwards-period rule, the diagnosis-code pick,
unit conversion, and every column `to_encounters` derives for a small export with one stay of each kind.
Fast on purpose: mutmut runs these for each fhir_ingest mutant (model-src/pyproject.toml, [tool.mutmut]).
"""

from __future__ import annotations

import math
import warnings

import pandas as pd
import pytest

from data._ingest_path import frames
from readmit.data import codes, fhir_ingest, fhir_read
from readmit.errors import InputError


@pytest.mark.parametrize(
    ("gender", "sex"),
    [("female", "female"), ("male", "male"), ("other", "unknown"), ("unknown", "unknown"),
     ("Female", "unknown"), ("", "unknown"), (None, "unknown")],
)  # fmt: skip
def test_sex_keeps_female_and_male_and_calls_everything_else_unknown(gender, sex):
    assert fhir_ingest.sex(gender) == sex


@pytest.mark.parametrize(
    ("race", "ethnicity", "expected"),
    [("2106-3", None, "white"), ("2054-5", None, "black"), ("2028-9", None, "asian"),
     ("1002-5", None, "other"), ("2076-8", None, "other"), ("2131-1", None, "other"),
     ("2106-3", "2186-5", "white"),  # "not Hispanic or Latino" keeps the race
     ("2106-3", codes.HISPANIC, "hispanic"), ("2054-5", codes.HISPANIC, "hispanic"),
     (None, codes.HISPANIC, "hispanic"), ("9999-9", None, "unknown"), (None, None, "unknown"),
     ("2135-2", None, "unknown")],  # the Hispanic code as a race is not a race
)  # fmt: skip
def test_race_maps_omb_codes_and_hispanic_ethnicity_wins(race, ethnicity, expected):
    assert fhir_ingest.race(race, ethnicity) == expected


@pytest.mark.parametrize(
    ("encounter_type", "expected"),
    [("183452005", {"encounter_type": "183452005"}), ("", {"encounter_type": ""}), (None, {}),
     (float("nan"), {})],
)  # fmt: skip
def test_the_encounter_type_is_kept_as_an_extra_only_when_it_is_text(encounter_type, expected):
    assert fhir_ingest.extra(encounter_type) == expected


def test_a_backwards_period_is_an_input_error_naming_where_how_many_and_the_fhir_rule():
    error = fhir_ingest.backwards_period("Encounter.000.ndjson:7", 3)
    assert isinstance(error, InputError)
    assert str(error) == (
        "Encounter.000.ndjson:7: Encounter.period.end is before Encounter.period.start (3 encounter(s)); "
        "fix the period (FHIR per-1: start <= end)"
    )


@pytest.mark.parametrize(
    ("system", "code", "expected"),
    [(codes.ICD10, "I50.9", "I50.9"),
     (codes.ICD10, "44054006", "44054006"),  # an ICD-10-CM code is kept even if it looks like SNOMED
     (codes.SNOMED, "44054006", "E11.9"), (codes.SNOMED, "88805009", "I50.9"),
     (codes.SNOMED, "160903007", "sct:160903007"), (None, "44054006", "E11.9"), (None, "123", "sct:123")],
)  # fmt: skip
def test_a_diagnosis_is_icd10_as_is_snomed_mapped_or_marked_sct(system, code, expected):
    assert fhir_ingest.dx_code(system, code) == expected


def test_diagnoses_are_picked_row_by_row_from_system_and_code():
    cond = pd.DataFrame(
        {"system": [codes.SNOMED, codes.ICD10, codes.SNOMED], "code": ["44054006", "I10", "160903007"]}
    )
    assert fhir_ingest._dx(cond) == ["E11.9", "I10", "sct:160903007"]


@pytest.mark.parametrize(
    ("lab", "unit", "factor"),
    [("creatinine", "umol/L", (1 / 88.42, 0.0)), ("hba1c", "mmol/mol", (0.09148, 2.152)),
     ("creatinine", "mg/dL", (1.0, 0.0)), ("glucose", None, (1.0, 0.0))],
)  # fmt: skip
def test_a_lab_unit_converts_by_its_factor_and_an_unknown_unit_is_left_alone(lab, unit, factor):
    assert fhir_ingest.unit_factor(lab, unit) == factor


# --- to_encounters on a small export --------------------------------------------------------------------


def _row(kind: str, src: str, **values) -> dict:
    return dict.fromkeys(fhir_read.columns(kind)) | {"src": src} | values


def _enc(enc_id, patient, cls, start, end, **more) -> dict:
    return _row("Encounter", f"Encounter.000.ndjson:{enc_id}", encounter_id=enc_id, patient_id=patient,
                **{"class": cls}, start=start, end=end, **more)  # fmt: skip


def _obs(n, enc_id, code, value, unit, when, patient="p1") -> dict:
    return _row("Observation", f"Observation.000.ndjson:{n}", patient_id=patient, encounter_id=enc_id,
                code=code, value=value, unit=unit, effective=when)  # fmt: skip


def _cond(n, enc_id, system, code) -> dict:
    return _row("Condition", f"Condition:{n}", patient_id="p1", encounter_id=enc_id, system=system, code=code)


def export() -> dict[str, list[dict]]:
    """p1 (white woman, 72 at a1) with the stays and history below; p2 (Hispanic man born 1930, ZIP in a
    restricted area) who dies in his stay; p3 without a birth date; and one encounter of a patient who is
    not in the export. The data end at 2024-01-01 (enc `last`)."""
    return {
        "Patient": [
            _row(
                "Patient",
                "Patient:1",
                patient_id="p1",
                birth_date="1950-06-15",
                gender="female",
                postal_code="02139-4307",
                race="2106-3",
                ethnicity="2186-5",
            ),
            _row(
                "Patient",
                "Patient:2",
                patient_id="p2",
                birth_date="1930-01-01",
                gender="male",
                postal_code="03601",
                race="2054-5",
                ethnicity=codes.HISPANIC,
                deceased="2023-03-03T00:00:00Z",
            ),
            _row("Patient", "Patient:3", patient_id="p3", gender="other", postal_code="1234"),
            _row("Patient", "Patient:1b", patient_id="p1", birth_date="1900-01-01"),  # duplicate: first wins
        ],
        "Encounter": [
            _enc("old", "p1", "IMP", "2021-01-01T00:00:00Z", "2021-01-03T00:00:00Z"),
            _enc("e1", "p1", "EMER", "2022-01-01T00:00:00Z", "2022-01-01T06:00:00Z"),  # 365 days before a1
            _enc("o1", "p1", "AMB", "2022-12-01T00:00:00Z", "2023-01-01T00:00:00Z"),  # ends as a1 begins
            _enc(
                "a1",
                "p1",
                "IMP",
                "2023-01-01T00:00:00Z",
                "2023-01-05T12:00:00Z",
                priority="EM",
                disposition="01",
                type="183452005",
            ),
            _enc(
                "a2",
                "p1",
                "ACUTE",
                "2023-01-20T00:00:00Z",
                "2023-01-25T00:00:00Z",
                priority="UR",
                disposition="snf",
            ),
            _enc("a3", "p1", "IMP", "2023-06-01T00:00:00Z", None, priority="UR"),
            _enc("a4", "p1", "IMP", "2023-07-01T00:00:00Z", "2023-07-02T00:00:00Z", disposition="hosp"),
            _enc("a5", "p1", "IMP", "2023-12-10T00:00:00Z", "2023-12-12T00:00:00Z", disposition="weird"),
            _enc("last", "p1", "VR", "2024-01-01T00:00:00Z", "2024-01-01T00:00:00Z"),
            _enc("b1", "p2", "IMP", "2023-03-01T00:00:00Z", "2023-03-04T00:00:00Z"),
            _enc("c1", "p3", "IMP", "2023-02-01T00:00:00Z", "2023-02-02T00:00:00Z", priority="R"),
            _enc("z1", "ghost", "IMP", "2023-02-01T00:00:00Z", "2023-02-02T00:00:00Z"),
            _enc("a1", "p1", "AMB", "2020-01-01T00:00:00Z", "2020-01-01T01:00:00Z"),  # duplicate id
        ],
        "Condition": [
            _cond(1, "a1", codes.ICD10, "I50.9"),
            _cond(2, "a1", codes.SNOMED, "44054006"),
            _cond(3, "a1", codes.SNOMED, "160903007"),
            _cond(4, "a1", codes.ICD10, "I50.9"),  # the same diagnosis again: listed once
            _cond(5, None, codes.ICD10, "E11.9"),  # no encounter: no stay gets it
        ],
        "MedicationRequest": [
            _row("MedicationRequest", "M:1", patient_id="p1", encounter_id="a1", code="860975"),
            _row("MedicationRequest", "M:2", patient_id="p1", encounter_id="a1", code="197361"),
            _row("MedicationRequest", "M:3", patient_id="p1", encounter_id="a1", code="860975"),
        ],
        "Procedure": [_row("Procedure", "P:1", patient_id="p1", encounter_id="a2", code="0BH17EZ")],
        "Observation": [
            _obs(1, "a1", "2160-0", 120, "umol/L", "2023-01-02T12:00:00Z"),  # -> 1.357 mg/dL on day 731.5
            _obs(2, "a1", "2345-7", 5.0, "mmol/L", "2023-01-02T00:00:00Z"),  # -> 90.08 mg/dL on day 731
            _obs(3, "a1", "4548-4", 53, "mmol/mol", "2023-01-03T00:00:00Z"),  # -> 7.0 % on day 732
            _obs(4, "a1", "2160-0", 1.1, "mg/dL", "2023-01-06T00:00:00Z"),  # after a1 ended
            _obs(5, "a1", "2160-0", 1.0, "mg/dL", None),  # no time
            _obs(6, "a1", "2160-0", 1e308, "umol/L", "2023-01-02T00:00:00Z"),  # finite / 88.42: kept
            _obs(7, "a1", "718-7", float("inf"), "g/dL", "2023-01-02T00:00:00Z"),  # not finite
            _obs(8, "a1", "8867-4", 72, "/min", "2023-01-02T00:00:00Z"),  # not a lab
            _obs(9, None, "2160-0", 1.0, "mg/dL", "2023-01-02T00:00:00Z"),  # no encounter
            _obs(10, "a1", "2160-0", None, "mg/dL", "2023-01-02T00:00:00Z"),  # no value
            _obs(11, "a2", "2823-3", 4.1, "meq/L", "2023-01-21T00:00:00Z"),
        ],
    }


COLUMNS = ["encounter_id", "status", "label", "encounter_class", "disposition", "planned", "admit_day",
           "discharge_day", "los_days", "age", "age_band", "sex", "race", "zip3", "admission_acuity",
           "discharge_disposition", "dx_system", "extra"]  # fmt: skip
EXPECTED = [
    ("old", "index", 0, "inpatient", "unknown", False, 0.0, 2.0, 2.0, 70, "70-79", "female", "white", "021",
     "unknown", "unknown", "icd10", {}),
    ("e1", "", 0, "emergency", "unknown", False, 365.0, 365.25, 0.25, 71, "70-79", "female", "white", "021",
     "unknown", "unknown", "icd10", {}),
    ("o1", "", 0, "outpatient", "unknown", False, 699.0, 730.0, 31.0, 72, "70-79", "female", "white", "021",
     "unknown", "unknown", "icd10", {}),
    ("a1", "index", 1, "inpatient", "home", False, 730.0, 734.5, 4.5, 72, "70-79", "female", "white", "021",
     "emergency", "home", "icd10", {"encounter_type": "183452005"}),
    ("a2", "index", 0, "inpatient", "snf", False, 749.0, 754.0, 5.0, 72, "70-79", "female", "white", "021",
     "urgent", "snf", "icd10", {}),
    ("a3", "no_discharge", 0, "inpatient", "unknown", False, 881.0, math.nan, math.nan, 72, "70-79", "female",
     "white", "021", "urgent", "unknown", "icd10", {}),
    ("a4", "hospice", 0, "inpatient", "hospice", False, 911.0, 912.0, 1.0, 73, "70-79", "female", "white",
     "021", "unknown", "hospice", "icd10", {}),
    ("a5", "followup_past_data_end", 0, "inpatient", "unknown", False, 1073.0, 1075.0, 2.0, 73, "70-79",
     "female", "white", "021", "unknown", "unknown", "icd10", {}),
    ("last", "", 0, "outpatient", "unknown", False, 1095.0, 1095.0, 0.0, 73, "70-79", "female", "white",
     "021", "unknown", "unknown", "icd10", {}),
    ("b1", "death", 0, "inpatient", "unknown", False, 0.0, 3.0, 3.0, 90, "90+", "male", "hispanic", "000",
     "unknown", "unknown", "icd10", {}),
    ("c1", "no_birth_date", 0, "inpatient", "unknown", True, 0.0, 1.0, 1.0, 0, "0-17", "unknown", "unknown",
     "000", "elective", "unknown", "icd10", {}),
]  # fmt: skip


def test_to_encounters_derives_every_column_of_every_stay_exactly():
    enc, _ = fhir_ingest.to_encounters(frames(export()))
    got = enc[COLUMNS].astype(object).to_dict("records")
    want = [dict(zip(COLUMNS, row, strict=True)) for row in EXPECTED]
    assert len(got) == len(want)
    for g, w in zip(got, want, strict=True):
        for col in COLUMNS:
            if isinstance(w[col], float) and math.isnan(w[col]):
                assert pd.isna(g[col]), (w["encounter_id"], col, g[col])
            else:
                assert g[col] == w[col], (w["encounter_id"], col, g[col])
    assert enc["label"].dtype == "int64" and enc["age"].dtype == "int64"


def test_codes_labs_and_prior_counts_are_gathered_per_encounter():
    enc, _ = fhir_ingest.to_encounters(frames(export()))
    row = enc.set_index("encounter_id")
    assert row.loc["a1", "dx_codes"] == ["I50.9", "E11.9", "sct:160903007"]
    assert row.loc["a1", "med_codes"] == ["860975", "197361"]
    assert row.loc["a2", "proc_codes"] == ["0BH17EZ"]
    assert row.loc["old", "dx_codes"] == [] and row.loc["old", "labs"] == {}
    assert row.loc["a1", "labs"] == {
        "glucose": [[731.0, 90.08]],
        "creatinine": [[731.0, round(1e308 / 88.42, 3)], [731.5, 1.357]],
        "hba1c": [[732.0, 7.0]],
    }
    assert row.loc["a2", "labs"] == {"potassium": [[750.0, 4.1]]}
    counts = ["n_lab_procedures", "n_procedures", "n_medications"]
    assert row.loc["a1", counts].tolist() == [4, 0, 2]
    assert row.loc["a2", counts].tolist() == [1, 1, 0]
    prior = ["prior_inpatient_365d", "prior_emergency_365d", "prior_outpatient_365d"]
    # a1 (2023-01-01): e1 began exactly 365 days before and o1 ended exactly as a1 began: both count;
    # `old` (2021) is too old and a1 itself has not ended.
    assert row.loc["a1", prior].tolist() == [0, 1, 1]
    # a2 (2023-01-20): a1 ended before it began; e1 (2022-01-01) is now more than 365 days before.
    assert row.loc["a2", prior].tolist() == [1, 0, 1]
    # only index stays get counts; the others (no discharge, hospice, not inpatient) stay 0
    for other in ("a3", "a4", "e1"):
        assert row.loc[other, prior].tolist() == [0, 0, 0]
    assert all(enc[c].dtype == "int64" for c in prior + counts)


def test_the_counts_of_what_came_in_and_what_was_dropped():
    _, rows_in = fhir_ingest.to_encounters(frames(export()))
    assert rows_in == {
        "patients": 3,
        "encounters": 11,
        "encounters_without_patient": 1,
        "inpatient_encounters": 8,
        "observations": 11,
        "observations_unusable": 2,
        "observations_after_encounter_end": 1,
        "conditions": 5,
    }


def test_a_live_stay_is_the_one_index_candidate_and_its_unknown_future_does_not_exclude_it():
    enc, _ = fhir_ingest.to_encounters(frames(export()), live_index="a5")
    status = dict(zip(enc["encounter_id"], enc["status"], strict=True))
    assert status["a5"] == "index"  # not followup_past_data_end
    assert {s for e, s in status.items() if e != "a5"} == {""}


def test_a_backwards_period_names_the_first_such_encounter_and_counts_them_all():
    found = export()
    found["Encounter"][2]["end"] = "2022-11-01T00:00:00Z"  # o1
    found["Encounter"][4]["end"] = "2023-01-19T00:00:00Z"  # a2
    with pytest.raises(InputError) as error:
        fhir_ingest.to_encounters(frames(found))
    assert str(error.value) == str(fhir_ingest.backwards_period("Encounter.000.ndjson:o1", 2))


def test_an_encounter_ending_at_its_start_is_not_backwards():
    found = export()
    found["Encounter"][2]["end"] = found["Encounter"][2]["start"]
    enc, _ = fhir_ingest.to_encounters(frames(found))
    assert enc.loc[enc["encounter_id"] == "o1", "los_days"].item() == 0.0


@pytest.mark.parametrize(
    ("kind", "n", "field", "value", "message"),
    [("Encounter", 3, "start", "2023-13-01", "Encounter.000.ndjson:a1: Encounter.period.start is not"),
     ("Encounter", 3, "end", "soon", "Encounter.000.ndjson:a1: Encounter.period.end is not"),
     ("Patient", 0, "birth_date", "15/06/1950", "Patient:1: Patient.birthDate is not"),
     ("Patient", 1, "deceased", "last week", "Patient:2: Patient.deceasedDateTime is not"),
     ("Observation", 0, "effective", "noon",
      "Observation.000.ndjson:1: Observation.effectiveDateTime is not")],
)  # fmt: skip
def test_a_time_that_is_not_iso_8601_names_where_and_which_field_but_not_the_value(
    kind, n, field, value, message
):
    found = export()
    found[kind][n][field] = value
    with pytest.raises(InputError) as error:
        fhir_ingest.to_encounters(frames(found))
    assert str(error.value).startswith(message)
    assert str(error.value).endswith(" an ISO 8601 date-time; fix it (e.g. 2020-01-31T10:00:00Z)")
    assert value not in str(error.value)


def test_a_birth_up_to_a_day_after_the_admission_still_counts_as_before():
    found = export()
    found["Patient"][0]["birth_date"] = "2023-01-02"  # a1 began 2023-01-01T00:00Z: within the day of slack
    enc, _ = fhir_ingest.to_encounters(frames(found))
    row = enc.set_index("encounter_id")
    assert row.loc["a1", "status"] == "index" and row.loc["a1", "age"] == 0
    assert row.loc["old", "status"] == "birth_after_admission"
    found["Patient"][0]["birth_date"] = "2023-01-02T00:00:01Z"
    enc, _ = fhir_ingest.to_encounters(frames(found))
    assert enc.loc[enc["encounter_id"] == "a1", "status"].item() == "birth_after_admission"


def test_a_lab_taken_at_the_very_end_of_the_stay_is_kept():
    found = export()
    found["Observation"].append(_obs(12, "a2", "2823-3", 3.9, "meq/L", "2023-01-25T00:00:00Z"))  # a2's end
    enc, rows_in = fhir_ingest.to_encounters(frames(found))
    assert enc.set_index("encounter_id").loc["a2", "labs"] == {"potassium": [[750.0, 4.1], [754.0, 3.9]]}
    assert rows_in["observations_after_encounter_end"] == 1


def test_labs_of_the_same_time_keep_their_file_order_behind_earlier_ones():
    # Enough ties that an unstable sort (numpy's quicksort) would reorder them.
    later = [_obs(i, "a1", "2160-0", 1 + i / 100, "mg/dL", "2023-01-03T00:00:00Z") for i in range(20)]
    earlier = [_obs(20 + i, "a1", "2160-0", 2 + i / 100, "mg/dL", "2023-01-02T00:00:00Z") for i in range(20)]
    found = export()
    found["Observation"] = later + earlier
    enc, _ = fhir_ingest.to_encounters(frames(found))
    series = enc.set_index("encounter_id").loc["a1", "labs"]["creatinine"]
    assert series == [[731.0, round(2 + i / 100, 3)] for i in range(20)] + [
        [732.0, round(1 + i / 100, 3)] for i in range(20)
    ]


def test_the_encounters_frame_holds_the_read_columns_then_the_derived_ones_and_nothing_else():
    enc, _ = fhir_ingest.to_encounters(frames(export()))
    derived = ["encounter_class", "planned", "status", "label", "admit_day", "discharge_day", "los_days",
               "dx_codes", "med_codes", "proc_codes", "labs", "n_lab_procedures", "n_procedures",
               "n_medications", "prior_inpatient_365d", "prior_emergency_365d", "prior_outpatient_365d",
               "age", "age_band", "sex", "race", "zip3", "admission_acuity", "discharge_disposition",
               "dx_system", "extra", "history_ids"]  # fmt: skip
    assert list(enc.columns) == [*fhir_read.columns("Encounter"), "src", *derived]  # no stray "index"
    assert enc.index.tolist() == list(range(len(enc)))


def test_each_index_stay_names_the_encounters_of_its_history_window():
    """readmit.data.window: begun before the admission, ended at most 365 days before it (e1 ended 365.25
    days after day 0, a year before a1's admission on day 730, to within 6 hours)."""
    enc, _ = fhir_ingest.to_encounters(frames(export()))
    windows = dict(zip(enc["encounter_id"], enc["history_ids"], strict=True))
    index = enc.loc[enc["status"] == "index", "encounter_id"].tolist()
    assert {k: windows[k] for k in index} == {"old": set(), "a1": {"e1", "o1"}, "a2": {"o1", "a1"}}
    assert all(windows[k] is None for k in windows if k not in index)


def test_an_encounter_begun_before_the_year_and_ended_inside_it_is_in_the_window():
    """The window reads an encounter's end, not only its start (what the CDS service keeps too)."""
    found = export()
    found["Encounter"].append(_enc("long", "p1", "AMB", "2021-12-01T00:00:00Z", "2022-06-01T00:00:00Z"))
    enc, _ = fhir_ingest.to_encounters(frames(found))
    windows = dict(zip(enc["encounter_id"], enc["history_ids"], strict=True))
    assert windows["a1"] == {"e1", "o1", "long"} and windows["a2"] == {"o1", "a1", "long"}
    assert windows["old"] == set()


def test_an_encounter_class_outside_the_code_table_is_other():
    found = export()
    found["Encounter"][8]["class"] = "OBSENC"  # `last`: an observation encounter
    enc, _ = fhir_ingest.to_encounters(frames(found))
    assert enc.loc[enc["encounter_id"] == "last", "encounter_class"].item() == "other"


def test_a_class_no_stay_has_a_prior_of_counts_zero_without_a_pandas_warning():
    found = export()
    found["Encounter"] = [e for e in found["Encounter"] if e["encounter_id"] != "e1"]  # the only emergency
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # e.g. pandas' FutureWarning on downcasting a column of None
        enc, _ = fhir_ingest.to_encounters(frames(found))
    assert enc["prior_emergency_365d"].dtype == "int64" and set(enc["prior_emergency_365d"]) == {0}
    assert enc.set_index("encounter_id").loc["a2", "prior_outpatient_365d"] == 1
