import json

import numpy as np
import pandas as pd

from readmit.data import tables
from readmit.schema import HISTORY_COLUMNS, HISTORY_PRIOR_COUNTS, INDEX_COLUMNS


def _enc():
    base = {
        "dx_codes": ["I10"],
        "med_codes": [],
        "proc_codes": [],
        "labs": {},
        "age": 70,
        "age_band": "70-79",
        "sex": "female",
        "race": "white",
        "zip3": "021",
        "admission_acuity": "emergency",
        "discharge_disposition": "home",
        "dx_system": "icd10",
        "n_lab_procedures": 0,
        "n_procedures": 0,
        "n_medications": 0,
        "prior_inpatient_365d": 0,
        "prior_emergency_365d": 0,
        "prior_outpatient_365d": 0,
        "extra": {},
        "label": 0,
        "source": "fhir",
        "patient_id": "p",
    }
    rows = [
        ("e2", "inpatient", 10.0, 15.0, "index"),
        ("e1", "outpatient", 0.0, 1.0, ""),
        ("e3", "outpatient", 12.0, 12.5, ""),
        ("e4", "inpatient", 30.0, 32.0, "index"),
    ]
    return pd.DataFrame(
        [
            {
                **base,
                "encounter_id": e,
                "encounter_class": c,
                "admit_day": a,
                "discharge_day": d,
                "los_days": d - a,
                "status": s,
            }
            for e, c, a, d, s in rows
        ]
    )


def test_history_holds_only_encounters_that_ended_before_the_admission():
    index, history = tables.build(_enc(), b"k" * 32)
    first, second = (json.loads(h) for h in index["history"])
    assert [item["admit_day"] for item in first] == [0.0]
    assert [item["admit_day"] for item in second] == [0.0, 10.0, 12.0]
    assert list(history["encounter_seq"]) == [0, 1, 2, 3]


def test_outputs_have_exactly_the_schema_columns_in_order():
    index, history = tables.build(_enc(), b"k" * 32)
    assert list(index.columns) == list(INDEX_COLUMNS)
    assert list(history.columns) == list(HISTORY_COLUMNS)
    assert "e2" not in set(index["encounter_key"]) and len(index["encounter_key"].iat[0]) == 64


def test_fast_code_list_serialisation_matches_json():
    for codes in ([], ["I10"], ["E11.9", "sct:123"], ['odd"quote'], ["back\\slash"], ["ünï"], [None, "x"]):
        assert tables.dumps_codes(codes) == json.dumps(codes, separators=(",", ":"))


def test_undated_sources_keep_input_order_and_take_every_earlier_encounter():
    enc = _enc().assign(admit_day=np.nan, discharge_day=np.nan)  # UCI: rows arrive sorted by encounter_id
    index, _ = tables.build(enc, b"k" * 32)
    assert [len(json.loads(h)) for h in index["history"]] == [0, 3]


def test_undated_history_items_carry_the_earlier_encounters_own_prior_year_counts():
    enc = _enc().assign(admit_day=np.nan, discharge_day=np.nan, prior_inpatient_365d=[0, 1, 2, 3])
    index, _ = tables.build(enc, b"k" * 32)
    last = json.loads(index["history"].iat[1])
    assert [item["prior_inpatient_365d"] for item in last] == [0.0, 1.0, 2.0]  # the index's own 3 is not here
    assert all(set(HISTORY_PRIOR_COUNTS) <= set(item) for item in last)


def test_dated_history_items_leave_the_counts_to_the_features():
    index, _ = tables.build(_enc(), b"k" * 32)
    items = [item for h in index["history"] for item in json.loads(h)]
    assert items and not any(set(HISTORY_PRIOR_COUNTS) & set(item) for item in items)
