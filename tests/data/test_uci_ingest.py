import io
import json
import zipfile

import pandas as pd
import pytest

from readmit.data import uci_ingest, uci_read
from readmit.errors import InputError

HEADER = (
    "encounter_id,patient_nbr,race,gender,age,weight,admission_type_id,discharge_disposition_id,"
    "admission_source_id,time_in_hospital,payer_code,medical_specialty,num_lab_procedures,num_procedures,"
    "num_medications,number_outpatient,number_emergency,number_inpatient,diag_1,diag_2,diag_3,"
    "number_diagnoses,max_glu_serum,A1Cresult,metformin,insulin,change,diabetesMed,readmitted"
)
ROWS = [
    "30,7,Caucasian,Female,[70-80),?,1,1,7,3,MC,?,40,1,12,0,1,2,428,250.01,?,9,None,>8,No,Up,Ch,Yes,<30",
    "10,7,Caucasian,Female,[70-80),?,1,1,7,5,MC,?,41,0,10,0,0,1,414,?,?,5,>300,None,Steady,No,No,Yes,NO",
    "20,7,Caucasian,Female,[70-80),?,3,11,7,2,MC,?,12,0,8,0,0,1,486,?,?,3,None,None,No,No,No,No,NO",
    "40,9,AfricanAmerican,Male,[90-100),?,2,14,1,4,?,?,20,0,5,0,0,0,V57,?,?,3,None,None,No,No,No,No,>30",
]


def _raw(rows=ROWS, header=HEADER):
    return uci_read.parse(("\n".join([header, *rows]) + "\n").encode(), "diabetic_data.csv")


def test_encounters_are_ordered_by_encounter_id_and_deaths_and_hospice_excluded():
    enc, rows_in = uci_ingest.to_encounters(_raw())
    assert rows_in == {"rows": 4, "patients": 2}
    p7 = enc[enc["patient_id"] == "7"]
    assert p7["encounter_id"].tolist() == ["10", "20", "30"]
    assert p7["status"].tolist() == ["index", "death", "index"]
    assert enc.loc[enc["encounter_id"] == "40", "status"].item() == "hospice"


def test_label_is_readmitted_within_30_days_only():
    enc, _ = uci_ingest.to_encounters(_raw())
    assert dict(zip(enc["encounter_id"], enc["label"], strict=True)) == {"10": 0, "20": 0, "30": 1, "40": 0}


def test_age_bracket_becomes_midpoint_and_band_with_safe_harbor_cap():
    enc, _ = uci_ingest.to_encounters(_raw())
    row = enc.set_index("encounter_id")
    assert (row.at["10", "age"], row.at["10", "age_band"]) == (75, "70-79")
    assert (row.at["40", "age"], row.at["40", "age_band"]) == (90, "90+")


def test_codes_labs_and_extras_are_mapped():
    enc, _ = uci_ingest.to_encounters(_raw())
    row = enc.set_index("encounter_id").loc["30"]
    assert row["dx_codes"] == ["428", "250.01"]
    assert row["med_codes"] == ["insulin"]
    assert row["labs"] == {"hba1c": [[None, 9.0]]}
    assert row["extra"]["payer_code"] == "MC" and row["extra"]["med_status"] == {"insulin": "Up"}
    assert json.dumps(row["extra"])  # serialisable: no NaN, no numpy scalars


def test_zip_as_distributed_is_read(tmp_path):
    path = tmp_path / "dataset_diabetes.zip"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("dataset_diabetes/diabetic_data.csv", "\n".join([HEADER, *ROWS]) + "\n")
    raw, files, _ = uci_read.read(path)
    assert len(raw) == 4 and files == [path]


def test_missing_columns_are_named():
    header = HEADER.replace("readmitted", "outcome")
    with pytest.raises(InputError, match=r"diabetic_data.csv:1: missing column\(s\) readmitted"):
        _raw(header=header)


def test_non_integer_value_names_the_row():
    rows = [*ROWS[:2], ROWS[2].replace(",3,11,7,2,", ",3,eleven,7,2,")]
    with pytest.raises(
        InputError, match=r"diabetic_data.csv:4: column discharge_disposition_id is not an integer"
    ):
        _raw(rows)


def test_bad_identifier_value_is_not_echoed_in_the_error():
    rows = [ROWS[0].replace("30,7,", "30,PAT-SECRET-77,", 1)]
    with pytest.raises(InputError) as err:
        _raw(rows)
    assert "patient_nbr" in str(err.value) and "PAT-SECRET-77" not in str(err.value)


def test_unknown_readmitted_value_names_the_row():
    with pytest.raises(InputError, match=r":2: readmitted is 'soon'"):
        _raw([ROWS[0].replace("<30", "soon")])


def test_full_uci_file_counts_and_exclusions(uci_ingested, uci_zip):
    _, meta, _ = uci_ingested
    with zipfile.ZipFile(uci_zip) as zf:
        raw = pd.read_csv(
            io.BytesIO(zf.read("dataset_diabetes/diabetic_data.csv")),
            usecols=["discharge_disposition_id", "readmitted"],
        )
    assert meta["rows_in"]["rows"] == 101_766 and meta["rows_in"]["patients"] == 71_518
    deaths = int(raw["discharge_disposition_id"].isin([11, 19, 20, 21]).sum())
    hospice = int(raw["discharge_disposition_id"].isin([13, 14]).sum())
    assert meta["exclusions"]["death"] == deaths and meta["exclusions"]["hospice"] == hospice
    excluded = sum(meta["exclusions"].values())
    assert meta["rows_out"]["index"] == 101_766 - excluded
    assert 0.10 < meta["label_prevalence"] < 0.13
    assert meta["source"] == "uci" and meta["inputs"][0]["file"] == "dataset_diabetes.zip"


def test_full_uci_history_is_every_earlier_encounter_of_the_patient(uci_ingested):
    out, _, _ = uci_ingested
    index = pd.read_parquet(
        out / "index.parquet", columns=["patient_key", "encounter_seq", "history", "admit_day", "zip3"]
    )
    lengths = index["history"].map(lambda h: len(json.loads(h)))
    assert (lengths == index["encounter_seq"]).all()
    assert index["admit_day"].isna().all() and (index["zip3"] == "000").all()
    assert lengths.max() > 10  # some patients have long histories


def test_age_that_is_not_a_bracket_names_the_row():
    with pytest.raises(InputError, match=r":3: age is not a bracket like \[70-80\)"):
        _raw([ROWS[0], ROWS[1].replace("[70-80)", "?")])


def test_period_orders_stays_across_patients_by_encounter_id():
    # numeric order, not text order: 9 < 40 < 100 across patients
    rows = [r.replace("10,7,", "100,7,", 1).replace("20,7,", "9,7,", 1) for r in ROWS]
    enc, _ = uci_ingest.to_encounters(_raw(rows))
    period = {e: x["period"] for e, x in zip(enc["encounter_id"], enc["extra"], strict=True)}
    assert sorted(period, key=period.get) == ["9", "30", "40", "100"]
    assert all(0 <= p < uci_ingest.PERIODS for p in period.values())


def test_a_negative_count_names_the_row_and_column():
    # time_in_hospital -3 would become los_days -3 in index.parquet, which the schema forbids.
    rows = [*ROWS[:2], ROWS[2].replace(",3,11,7,2,", ",3,11,7,-3,")]
    with pytest.raises(InputError, match=r"diabetic_data.csv:4: column time_in_hospital is negative"):
        _raw(rows)


def test_a_repeated_encounter_id_names_both_rows():
    rows = [*ROWS, ROWS[1]]
    with pytest.raises(InputError, match=r"diabetic_data.csv:6: encounter_id repeats row 3"):
        _raw(rows)


def test_an_integer_too_large_for_int64_names_the_row():
    with pytest.raises(InputError, match=r"diabetic_data.csv:2: column patient_nbr is not an integer"):
        _raw([ROWS[0].replace("30,7,", "30,99999999999999999999999,", 1)])


# A fifth stay with every "unknown" mapping: race "?", gender Unknown/Invalid, admission type 5, an empty
# metformin cell (not prescribed), and categorical A1C / glucose results.
ODD_ROW = "50,9,?,Unknown/Invalid,[0-10),?,5,6,1,1,?,?,1,0,1,0,0,0,?,?,?,1,>200,Norm,,Down,No,Yes,>30"
SAME_FOR_EVERY_STAY = {"encounter_class": "inpatient", "proc_codes": [], "zip3": "000", "dx_system": "icd9"}
EXPECTED = [
    {
        "patient_id": "7", "encounter_id": "10", "los_days": 5.0, "dx_codes": ["414"],
        "med_codes": ["metformin"], "labs": {"glucose": [[None, 350.0]]}, "status": "index", "age": 75,
        "age_band": "70-79", "sex": "female", "race": "white", "admission_acuity": "emergency",
        "discharge_disposition": "home", "n_lab_procedures": 41, "n_procedures": 0, "n_medications": 10,
        "prior_inpatient_365d": 1, "prior_emergency_365d": 0, "prior_outpatient_365d": 0, "label": 0,
        "extra": {
            "weight": None, "payer_code": "MC", "medical_specialty": None, "admission_source_id": "7",
            "number_diagnoses": "5", "A1Cresult": None, "max_glu_serum": ">300", "change": "No",
            "diabetesMed": "Yes", "med_status": {"metformin": "Steady"}, "period": 0,
        },
    },
    {
        "patient_id": "7", "encounter_id": "20", "los_days": 2.0, "dx_codes": ["486"], "med_codes": [],
        "labs": {}, "status": "death", "age": 75, "age_band": "70-79", "sex": "female", "race": "white",
        "admission_acuity": "elective", "discharge_disposition": "unknown", "n_lab_procedures": 12,
        "n_procedures": 0, "n_medications": 8, "prior_inpatient_365d": 1, "prior_emergency_365d": 0,
        "prior_outpatient_365d": 0, "label": 0,
        "extra": {
            "weight": None, "payer_code": "MC", "medical_specialty": None, "admission_source_id": "7",
            "number_diagnoses": "3", "A1Cresult": None, "max_glu_serum": None, "change": "No",
            "diabetesMed": "No", "med_status": {}, "period": 200,
        },
    },
    {
        "patient_id": "7", "encounter_id": "30", "los_days": 3.0, "dx_codes": ["428", "250.01"],
        "med_codes": ["insulin"], "labs": {"hba1c": [[None, 9.0]]}, "status": "index", "age": 75,
        "age_band": "70-79", "sex": "female", "race": "white", "admission_acuity": "emergency",
        "discharge_disposition": "home", "n_lab_procedures": 40, "n_procedures": 1, "n_medications": 12,
        "prior_inpatient_365d": 2, "prior_emergency_365d": 1, "prior_outpatient_365d": 0, "label": 1,
        "extra": {
            "weight": None, "payer_code": "MC", "medical_specialty": None, "admission_source_id": "7",
            "number_diagnoses": "9", "A1Cresult": ">8", "max_glu_serum": None, "change": "Ch",
            "diabetesMed": "Yes", "med_status": {"insulin": "Up"}, "period": 400,
        },
    },
    {
        "patient_id": "9", "encounter_id": "40", "los_days": 4.0, "dx_codes": ["V57"], "med_codes": [],
        "labs": {}, "status": "hospice", "age": 90, "age_band": "90+", "sex": "male", "race": "black",
        "admission_acuity": "urgent", "discharge_disposition": "unknown", "n_lab_procedures": 20,
        "n_procedures": 0, "n_medications": 5, "prior_inpatient_365d": 0, "prior_emergency_365d": 0,
        "prior_outpatient_365d": 0, "label": 0,
        "extra": {
            "weight": None, "payer_code": None, "medical_specialty": None, "admission_source_id": "1",
            "number_diagnoses": "3", "A1Cresult": None, "max_glu_serum": None, "change": "No",
            "diabetesMed": "No", "med_status": {}, "period": 600,
        },
    },
    {
        "patient_id": "9", "encounter_id": "50", "los_days": 1.0, "dx_codes": [], "med_codes": ["insulin"],
        "labs": {"hba1c": [[None, 5.6]], "glucose": [[None, 250.0]]}, "status": "index", "age": 5,
        "age_band": "0-9", "sex": "unknown", "race": "unknown", "admission_acuity": "unknown",
        "discharge_disposition": "home_health", "n_lab_procedures": 1, "n_procedures": 0, "n_medications": 1,
        "prior_inpatient_365d": 0, "prior_emergency_365d": 0, "prior_outpatient_365d": 0, "label": 0,
        "extra": {
            "weight": None, "payer_code": None, "medical_specialty": None, "admission_source_id": "1",
            "number_diagnoses": "1", "A1Cresult": "Norm", "max_glu_serum": ">200", "change": "No",
            "diabetesMed": "Yes", "med_status": {"insulin": "Down"}, "period": 800,
        },
    },
]  # fmt: skip
COLUMNS_AND_TYPES = {
    "patient_id": "object", "encounter_id": "object", "encounter_class": "object", "admit_day": "float64",
    "discharge_day": "float64", "los_days": "float64", "dx_codes": "object", "med_codes": "object",
    "proc_codes": "object", "labs": "object", "status": "object", "age": "int64", "age_band": "object",
    "sex": "object", "race": "object", "zip3": "object", "admission_acuity": "object",
    "discharge_disposition": "object", "dx_system": "object", "n_lab_procedures": "int64",
    "n_procedures": "int64", "n_medications": "int64", "prior_inpatient_365d": "int64",
    "prior_emergency_365d": "int64", "prior_outpatient_365d": "int64", "extra": "object", "label": "int64",
}  # fmt: skip


def test_every_column_of_every_stay_is_mapped_exactly():
    enc, rows_in = uci_ingest.to_encounters(_raw([*ROWS, ODD_ROW]))
    assert rows_in == {"rows": 5, "patients": 2}
    assert enc.dtypes.astype(str).to_dict() == COLUMNS_AND_TYPES
    assert enc.index.tolist() == [0, 1, 2, 3, 4]
    assert enc[["admit_day", "discharge_day"]].isna().all().all()  # the data set has no dates
    records = enc.drop(columns=["admit_day", "discharge_day"]).to_dict("records")
    assert records == [{**SAME_FOR_EVERY_STAY, **row} for row in EXPECTED]


def test_the_result_does_not_depend_on_the_row_labels_of_the_input():
    raw = _raw([*ROWS, ODD_ROW])
    relabelled = raw.set_axis([105, 101, 104, 103, 102])
    pd.testing.assert_frame_equal(uci_ingest.to_encounters(relabelled)[0], uci_ingest.to_encounters(raw)[0])


def test_a_row_without_an_age_bracket_gets_age_minus_one_and_band_unknown():
    # uci_read refuses such a row, so only a direct caller of the pure to_encounters can hand it one: it
    # then gets the "unknown" every other unmapped field gets, and age -1, never a made-up age.
    raw = _raw()
    raw.loc[3, "age"] = None
    enc, _ = uci_ingest.to_encounters(raw)
    row = enc.set_index("encounter_id")
    assert (row.at["40", "age"], row.at["40", "age_band"]) == (-1, "unknown")
    assert (row.at["10", "age"], row.at["10", "age_band"]) == (75, "70-79")


def test_a_file_without_the_lab_columns_has_no_labs_and_no_lab_extras():
    enc, _ = uci_ingest.to_encounters(_raw().drop(columns=["A1Cresult", "max_glu_serum"]))
    assert enc["labs"].tolist() == [{}, {}, {}, {}]
    assert not any({"A1Cresult", "max_glu_serum"} & set(extra) for extra in enc["extra"])
