"""Shared fixtures: the read-only `../shared` material, found through overridable paths.

A test that needs shared material skips with a visible reason when it is absent on a laptop; under
`CI=true` the run stops with one clear message instead (CI always has it, so a skip would hide a break).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from readmit import paths


def _in_ci() -> bool:
    return os.environ.get("CI", "").lower() in ("1", "true", "yes")


def _require(path: Path, what: str, env: str) -> Path:
    if not path.exists():
        message = f"{what} not found at {path} (set {env} to its location)"
        if _in_ci():
            pytest.exit(f"CI=true and the shared material is missing: {message}", returncode=1)
        pytest.skip(message)
    return path


@pytest.fixture(scope="session", autouse=True)
def _private_state(tmp_path_factory):
    """Every test starts from a private READMIT_HOME and no MLflow URI override, so a developer's own
    state or tracking server is never read or written; tests that need a store set their own."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("READMIT_HOME", str(tmp_path_factory.mktemp("readmit-home")))
        mp.delenv("MLFLOW_TRACKING_URI", raising=False)
        mp.delenv("MLFLOW_REGISTRY_URI", raising=False)
        yield


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
