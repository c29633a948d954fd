"""Shared fixtures: the read-only `../shared` material, found through overridable paths.

A test that needs shared material skips with a visible reason when it is absent (CI always has it).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from readmit import paths


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
