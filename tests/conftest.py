"""Shared fixtures: the read-only `../shared` material, found through overridable paths.

A test that needs shared material skips with a visible reason when it is absent (CI always has it).
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from readmit import paths
from readmit.cli import cli
from training._frames import make_index, write_ingest


def _require(path: Path, what: str, env: str) -> Path:
    if not path.exists():
        pytest.skip(f"{what} not found at {path} (set {env} to its location)")
    return path


@pytest.fixture(scope="session")
def uci_zip() -> Path:
    return _require(paths.uci_dataset(), "UCI Diabetes 130-US zip", "READMIT_UCI_DATA")


@pytest.fixture(scope="session")
def synthea_dir() -> Path:
    return _require(paths.synthea_sample(), "Synthea 10-patient FHIR bulk export", "READMIT_SYNTHEA_DATA")


@pytest.fixture(scope="session")
def crd_schema_dir() -> Path:
    return _require(paths.crd_schemas(), "CRD JSON schemas", "READMIT_CRD_SCHEMAS")


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return paths.repo_root()


def rekeyed(df):
    """make_index rows with keys in the ingest's pseudonym form (64 hex characters)."""
    df = df.copy()
    for column in ("patient_key", "encounter_key"):
        df[column] = [hashlib.sha256(k.encode()).hexdigest() for k in df[column]]
    return df


@pytest.fixture(scope="session")
def trained(tmp_path_factory):
    root = tmp_path_factory.mktemp("serving-model")
    data = write_ingest(root / "ingest", rekeyed(make_index(400, seed=21)))
    saved = {k: os.environ.get(k) for k in ("READMIT_HOME", "MLFLOW_TRACKING_URI", "MLFLOW_REGISTRY_URI")}
    for k in ("MLFLOW_TRACKING_URI", "MLFLOW_REGISTRY_URI"):
        os.environ.pop(k, None)
    os.environ["READMIT_HOME"] = str(root / "state")
    result = CliRunner().invoke(
        cli, ["train", "--data", str(data), "--seed", "3", "--set", "epochs=2"], catch_exceptions=False
    )
    assert result.exit_code == 0, result.output
    exported = root / "exported"
    result = CliRunner().invoke(
        cli,
        ["export", "--alias", "candidate", "--out", str(exported), "--data", str(data)],
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.output
    yield {"root": root, "data": data, "home": root / "state", "exported": exported}
    for k, v in saved.items():
        os.environ.pop(k, None) if v is None else os.environ.__setitem__(k, v)
