"""The three stays of `example-request.json`: rows of the version's own test split when the ingest
directory it was trained on is given, else three made-up stays (no patient behind them)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pandas as pd

from readmit.errors import InputError
from readmit.features.clean import clean
from readmit.schema import LABEL
from readmit.serving.contract import INPUTS, RuntimeConfig
from readmit.serving.errors import Rejected
from readmit.serving.v2 import request_body
from readmit.serving.validate import decode
from readmit.training import data, split

N_EXAMPLES = 3


class _Payload:
    """The few attributes `decode` reads, over a plain request dict (no MLServer types needed here)."""

    def __init__(self, body: dict):
        self.inputs = [_Input(i) for i in body["inputs"]]


class _Input:
    def __init__(self, d: dict):
        self.name, self.datatype, self.shape, self.data = d["name"], d["datatype"], d["shape"], d["data"]


def valid_rows(rows: pd.DataFrame, config: RuntimeConfig, n: int = N_EXAMPLES) -> pd.DataFrame:
    """The first `n` rows that the runtime's validation accepts one by one."""
    keep = []
    for i in range(len(rows)):
        try:
            decode(_Payload(request_body(rows.iloc[[i]])), config)
        except Rejected:
            continue
        keep.append(i)
        if len(keep) == n:
            break
    return rows.iloc[keep].reset_index(drop=True)


def from_data(
    data_dir: Path, data_version: str, seed: int, method: str, config: RuntimeConfig
) -> pd.DataFrame:
    df, manifest = data.load(data_dir)
    if data_version and manifest.get("data_version") != data_version:
        raise InputError(
            f"{data_dir}: data_version {manifest.get('data_version')} is not the version's "
            f"{data_version}; pass the ingest directory the version was trained on"
        )
    rows, _ = clean(df)
    test = rows[split.assign(rows, seed, method=method) == "test"].drop(columns=[LABEL])
    chosen = valid_rows(test[list(INPUTS)], config)
    if len(chosen) < N_EXAMPLES:
        raise InputError(
            f"{data_dir}: fewer than {N_EXAMPLES} test rows pass the serving contract "
            "(pseudonymous keys, closed categories, ranges); re-run `readmit data ingest`"
        )
    return chosen


def made_up() -> pd.DataFrame:
    """Three invented stays with the contract's shapes; keys are hashes of fixed labels, not pseudonyms
    of anyone."""
    rows = []
    for i, (age, los, dx, dispo) in enumerate(
        [
            (67, 4.0, ["I50.9", "E11.65"], "home"),
            (81, 9.0, ["J44.1", "N18.3"], "snf"),
            (45, 2.0, ["K21.9"], "home"),
        ]
    ):
        history = [
            {
                "encounter_seq": 0,
                "encounter_class": "inpatient",
                "admit_day": 0.0,
                "discharge_day": 3.0,
                "los_days": 3.0,
                "dx_codes": dx[:1],
                "med_codes": [],
                "proc_codes": [],
                "labs": {},
            }
        ]
        rows.append(
            {
                "patient_key": hashlib.sha256(f"example-patient-{i}".encode()).hexdigest(),
                "encounter_key": hashlib.sha256(f"example-stay-{i}".encode()).hexdigest(),
                "source": "fhir",
                "encounter_seq": 1,
                "admit_day": 120.0,
                "discharge_day": 120.0 + los,
                "los_days": los,
                "age": age,
                "age_band": f"{age // 10 * 10}-{age // 10 * 10 + 9}",
                "sex": ("female", "male")[i % 2],
                "race": "unknown",
                "zip3": "000",
                "admission_acuity": "emergency",
                "discharge_disposition": dispo,
                "dx_system": "icd10",
                "dx_codes": json.dumps(dx),
                "med_codes": json.dumps(["metformin"] if "E11.65" in dx else []),
                "proc_codes": json.dumps([]),
                "n_lab_procedures": 20 + 5 * i,
                "n_procedures": 1,
                "n_medications": 6,
                "prior_inpatient_365d": 1,
                "prior_emergency_365d": i,
                "prior_outpatient_365d": 2,
                "labs": json.dumps({"glucose": [[121.0, 140.0]], "creatinine": [[121.0, 1.1]]}),
                "extra": json.dumps({}),
                "history": json.dumps(history),
            }
        )
    return pd.DataFrame(rows)
