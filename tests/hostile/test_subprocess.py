"""The real contract through the console entry point in a fresh process: exit code, ONE stderr line naming
the input, no traceback. (The suites beside this run in-process for speed.)"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from readmit import paths


def _readmit(*args: str, **env: str) -> subprocess.CompletedProcess:
    environ = {k: v for k, v in os.environ.items() if k != "READMIT_DEBUG"}
    return subprocess.run(
        [sys.executable, "-m", "readmit", *args], capture_output=True, text=True, env={**environ, **env}
    )


def _one_line(proc: subprocess.CompletedProcess, name: str) -> None:
    assert proc.returncode == 2, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("readmit: error: ") and name in lines[0], proc.stderr


@pytest.mark.parametrize(
    "command", [["policy", "check", "--no-registry"], ["manifests", "check", "--no-trivy"]]
)
def test_a_binary_file_is_one_line_and_exit_2(tmp_path, command):
    path = tmp_path / "image.yaml"
    path.write_bytes(bytes(range(256)))
    _one_line(_readmit(*command, str(path)), str(path))


def test_an_export_with_an_empty_patient_file_is_one_line_and_exit_2(tmp_path):
    source = paths.synthea_sample()
    if not source.is_dir():
        pytest.skip(f"Synthea sample not found at {source} (set READMIT_SYNTHEA_DATA)")
    export = tmp_path / "export"
    export.mkdir()
    for path in source.glob("*.ndjson.gz"):
        if not path.name.startswith("Patient."):
            (export / path.name).symlink_to(path)
    (export / "Patient.000.ndjson").write_text("")
    proc = _readmit(
        "data",
        "ingest",
        "--source",
        "fhir",
        "--input",
        str(export),
        "--out",
        str(tmp_path / "set"),
        READMIT_PSEUDONYM_KEY="hostile-suite-key-0123456789abcdef",
    )
    _one_line(proc, str(export))
    assert "0 index stays" in proc.stderr and not (tmp_path / "set").exists()


def test_debug_shows_the_traceback_of_an_input_error(tmp_path):
    path = tmp_path / "image.yaml"
    path.write_bytes(bytes(range(256)))
    proc = _readmit("--debug", "policy", "check", "--no-registry", str(path))
    assert proc.returncode == 2 and "Traceback (most recent call last)" in proc.stderr
    assert proc.stderr.strip().splitlines()[-1].startswith(f"readmit: error: {path}")
