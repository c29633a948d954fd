"""Cohorts for the drift tests: `readmit data synth --drift ...` exports, ingested once per session."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from readmit.data import ingest
from readmit.data.synth import generate

KEY = b"test-pseudonym-key-0123456789abcdef"
PATIENTS = 1500


def cohort(root: Path, name: str, seed: int, drift: str) -> Path:
    export = root / f"fhir-{name}"
    generate.run(PATIENTS, seed, export, drift, True, root / f"{name}-truth.csv", False)
    out = root / name
    ingest.run("fhir", export, out, KEY)
    return out


@pytest.fixture(scope="session")
def cohorts(tmp_path_factory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("drift-cohorts")
    return {
        "reference": cohort(root, "reference", 1, "none"),
        "same": cohort(root, "same", 2, "none"),
        "older-population": cohort(root, "older", 1, "older-population"),
        "new-coding-practice": cohort(root, "coding", 1, "new-coding-practice"),
        "lab-unit-change": cohort(root, "labunit", 1, "lab-unit-change"),
    }


def index_rows(directory: Path) -> pd.DataFrame:
    return pd.read_parquet(directory / "index.parquet")


def write_log(path: Path, rows: pd.DataFrame, version: str = "3", start: str = "2026-11-01") -> Path:
    """An inference log in the serving format (BRIEF decision 4): one request per stay, scored."""
    inputs = [c for c in rows.columns if c not in ("patient_key", "encounter_key", "label")]
    stamps = pd.date_range(start, periods=len(rows), freq="min", tz="UTC")
    with open(path, "w") as fh:
        for ts, record in zip(stamps, rows.to_dict("records"), strict=True):
            values = {
                k: (None if isinstance(record[k], float) and record[k] != record[k] else record[k])
                for k in inputs
            }
            risk = round(0.05 + 0.004 * min(int(record["age"]), 90) / 2, 4)
            line = {
                "ts": ts.isoformat().replace("+00:00", "Z"),
                "request_id": f"r-{record['encounter_key'][:8]}",
                "model": "readmission",
                "version": version,
                "status": 200,
                "reason": None,
                "latency_ms": 3.0,
                "rows": [
                    {
                        "patient_key": record["patient_key"],
                        "encounter_key": record["encounter_key"],
                        "inputs": values,
                        "readmission_risk": risk,
                        "risk_band": "high" if risk >= 0.2 else "low",
                    }
                ],
            }
            fh.write(json.dumps(line, default=int) + "\n")
    return path
