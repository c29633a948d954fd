"""Fixtures for the data layer: a pseudonym key, a small synthetic export, and ingested sets.

Expensive artefacts (the full UCI ingest, a synthetic cohort) are built once per session.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest

from readmit.data import ingest
from readmit.data.synth import generate

KEY = b"test-pseudonym-key-0123456789abcdef"


@pytest.fixture(scope="session")
def key() -> bytes:
    return KEY


@pytest.fixture
def env_key(monkeypatch) -> bytes:
    monkeypatch.setenv("READMIT_PSEUDONYM_KEY", KEY.decode())
    return KEY


def run_cli(*args: str, env_key: bool = True, env: dict | None = None) -> subprocess.CompletedProcess:
    """Run the real `readmit` console entry point in a subprocess, capturing its output."""
    import os

    environ = {k: v for k, v in os.environ.items() if k != "READMIT_PSEUDONYM_KEY"}
    if env_key:
        environ["READMIT_PSEUDONYM_KEY"] = KEY.decode()
    environ.update(env or {})
    return subprocess.run(
        [sys.executable, "-c", "from readmit.cli import main; main()", *args],
        capture_output=True,
        text=True,
        env=environ,
        timeout=600,
        check=False,
    )


@pytest.fixture(scope="session")
def synth_export(tmp_path_factory) -> tuple[Path, Path]:
    """(export dir, ground-truth csv) for 400 synthetic patients, seed 11."""
    root = tmp_path_factory.mktemp("synth")
    generate.run(400, 11, root / "export", None)
    return root / "export", root / "export-ground-truth.csv"


@pytest.fixture(scope="session")
def synth_ingested(synth_export, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("synth-ingest") / "set"
    ingest.run("fhir", synth_export[0], out, KEY, min_k=5)
    return out


@pytest.fixture(scope="session")
def uci_ingested(uci_zip, tmp_path_factory) -> tuple[Path, dict, float]:
    """The whole UCI file ingested once: (output dir, manifest, seconds)."""
    out = tmp_path_factory.mktemp("uci-ingest") / "set"
    started = time.perf_counter()
    meta = ingest.run("uci", uci_zip, out, KEY, min_k=5)
    return out, meta, time.perf_counter() - started
