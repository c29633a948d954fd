"""Small schema-conforming index frames (readmit.schema.INDEX_COLUMNS) with a known signal, for tests."""

from __future__ import annotations

import contextlib
import json

import numpy as np
import pandas as pd

DX = ["I50.9", "E11.65", "J44.1", "N18.3", "K21.9", "C34.90", "F32.9", "M54.5", "R07.9", "Z79.4"]
MEDS = ["insulin", "metformin", "furosemide", "lisinopril", "atorvastatin"]


def make_index(n_patients: int = 300, seed: int = 0, signal: float = 1.5) -> pd.DataFrame:
    """Patients with 1-4 inpatient stays; each stay is an index row carrying its prior stays as history."""
    rng = np.random.default_rng(seed)
    rows = []
    for p in range(n_patients):
        age = int(rng.integers(20, 91))
        sex = ["female", "male"][int(rng.integers(0, 2))]
        race = ["white", "black", "asian", "hispanic"][int(rng.integers(0, 4))]
        frailty = rng.normal()
        day, history = 0.0, []
        for seq in range(int(rng.integers(1, 5))):
            day += float(rng.integers(20, 200))
            los = float(rng.integers(1, 12))
            dx = list(rng.choice(DX, size=int(rng.integers(1, 5)), replace=False))
            meds = list(rng.choice(MEDS, size=int(rng.integers(0, 4)), replace=False))
            glucose = 120 + 40 * frailty + rng.normal(0, 20)
            labs = {"glucose": [[day + 0.5, glucose]], "creatinine": [[day + 0.5, 1.0 + 0.3 * frailty]]}
            logit = -1.6 + signal * (0.6 * frailty + 0.08 * los + 0.4 * len(history) + 0.02 * (age - 60))
            label = int(rng.random() < 1 / (1 + np.exp(-logit)))
            rows.append(
                {
                    "patient_key": f"p{p:05d}",
                    "encounter_key": f"p{p:05d}e{seq}",
                    "source": "fhir",
                    "encounter_seq": seq,
                    "admit_day": day,
                    "discharge_day": day + los,
                    "los_days": los,
                    "age": age,
                    "age_band": f"{min(age // 10 * 10, 80)}-{min(age // 10 * 10, 80) + 9}",
                    "sex": sex,
                    "race": race,
                    "zip3": "000",
                    "admission_acuity": ["emergency", "elective", "urgent"][int(rng.integers(0, 3))],
                    "discharge_disposition": ["home", "snf", "home_health"][int(rng.integers(0, 3))],
                    "dx_system": "icd10",
                    "dx_codes": json.dumps(dx),
                    "med_codes": json.dumps(meds),
                    "proc_codes": json.dumps([]),
                    "n_lab_procedures": int(rng.integers(5, 60)),
                    "n_procedures": int(rng.integers(0, 4)),
                    "n_medications": len(meds),
                    "prior_inpatient_365d": sum(1 for h in history if day - h["discharge_day"] <= 365),
                    "prior_emergency_365d": int(rng.integers(0, 3)),
                    "prior_outpatient_365d": int(rng.integers(0, 5)),
                    "labs": json.dumps(labs),
                    "extra": json.dumps({"payer": ["a", "b"][int(rng.integers(0, 2))]}),
                    "history": json.dumps(history),
                    "label": label,
                }
            )
            history = history + [
                {
                    "encounter_seq": seq,
                    "encounter_class": "inpatient",
                    "admit_day": day,
                    "discharge_day": day + los,
                    "los_days": los,
                    "dx_codes": dx,
                    "med_codes": meds,
                    "proc_codes": [],
                    "labs": labs,
                }
            ]
            day += los
    return pd.DataFrame(rows)


def write_ingest(directory, df: pd.DataFrame, data_version: str = "sha256:" + "ab" * 32):
    """An ingest-shaped directory (index.parquet + manifest.json) holding `df`."""
    from pathlib import Path

    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    df.to_parquet(directory / "index.parquet", index=False)
    (directory / "manifest.json").write_text(json.dumps({"data_version": data_version, "source": "fhir"}))
    return directory


_TRAINED: dict = {}


def mlflow_env(home) -> dict:
    """Environment for a private MLflow store under `home` (sqlite + artifacts beside it)."""
    import os

    # mlflow.set_tracking_uri/set_registry_uri export these into os.environ: never let them leak
    env = {k: v for k, v in os.environ.items() if k not in ("MLFLOW_TRACKING_URI", "MLFLOW_REGISTRY_URI")}
    env["READMIT_HOME"] = str(home)
    return env


@contextlib.contextmanager
def using_store(home):
    """READMIT_HOME at `home` (the MLflow store derived from it) for the block, restored afterwards.
    For fixtures wider than a function, where the `monkeypatch` fixture is not available."""
    import pytest

    with pytest.MonkeyPatch.context() as mp:
        mp.delenv("MLFLOW_TRACKING_URI", raising=False)
        mp.delenv("MLFLOW_REGISTRY_URI", raising=False)
        mp.setenv("READMIT_HOME", str(home))
        yield


def train_small(root):
    """Train and register one small model through the CLI, once per process; returns its paths."""
    from click.testing import CliRunner

    from readmit.cli import cli

    if "result" not in _TRAINED:
        data = write_ingest(root / "ingest", make_index(400, seed=21))
        with using_store(root / "state"):
            result = CliRunner().invoke(
                cli,
                [
                    "train",
                    "--data",
                    str(data),
                    "--seed",
                    "3",
                    "--set",
                    "epochs=2",
                    "--out",
                    str(root / "out"),
                ],
                catch_exceptions=False,
            )
        _TRAINED["result"] = {
            "data": data,
            "home": root / "state",
            "out": root / "out",
            "stdout": result.stdout,
            "stderr": result.stderr,
            "exit_code": result.exit_code,
        }
    return _TRAINED["result"]
