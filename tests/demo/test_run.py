"""The demo's orchestration (readmit.demo.run) with its steps stood in for by signature-checked fakes
(`create_autospec`): which step runs with what, without the ~370 CPU s of the real loop (tests/demo/
test_demo.py runs that)."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from unittest.mock import create_autospec

import pytest

from readmit.demo import drifted, retrain, summary
from readmit.demo import run as demo
from readmit.demo.workspace import Workspace


@pytest.fixture
def loop(tmp_path: Path, repo_root: Path, monkeypatch):
    """Fakes for every step `_loop` takes; returns (config, workspace, fakes by name)."""
    run_dir = tmp_path / "runs" / "1"
    env = {"MLFLOW_TRACKING_URI": "sqlite:///x.db", "READMIT_INFERENCE_LOG": str(run_dir / "inf.jsonl")}
    ws = Workspace(tmp_path, tmp_path / "remote.git", repo_root, "main", run_dir, 1, env)
    source = tmp_path / "pipeline-source"
    first = retrain.Retrained(1, "promote/dev/v1", "sha256:x", source, tmp_path / "pipeline-runs" / "r1")
    second = drifted.Cohort(None, source / "data" / "dataset", tmp_path / "challenger" / "train", 2, True)
    fakes = {
        "open_workspace": create_autospec(demo.open_workspace, return_value=ws),
        "merge": create_autospec(demo.merge, return_value="abc"),
        "explain": create_autospec(demo.explain),
    }
    for name, fake in fakes.items():
        monkeypatch.setattr(demo, name, fake)
    for module, name, value in (
        (retrain, "run", first),
        (drifted, "cohort", second),
        (drifted, "challenger", second),
        (drifted, "drift_report", run_dir / "drift-report"),
        (drifted, "canary", "promote/dev/v2-canary-50"),
        (summary, "audit", run_dir / "audit.html"),
    ):
        fakes[name] = create_autospec(getattr(module, name), return_value=value)
        monkeypatch.setattr(module, name, fakes[name])
    return ws, first, second, fakes


def test_with_data_the_drift_report_compares_what_v1_served_with_its_training_data(loop, tmp_path: Path):
    ws, first, _, fakes = loop
    data = tmp_path / "dataset_diabetes.zip"
    demo._loop(demo.DemoConfig(tmp_path, ws.checkout, data=data))
    fakes["challenger"].assert_called_once()
    fakes["cohort"].assert_not_called()
    fakes["drift_report"].assert_called_once_with(
        ws, first.dataset, Path(ws.env["READMIT_INFERENCE_LOG"]), served=first.version
    )


def test_a_second_version_the_gate_refuses_is_told_as_an_outcome_and_the_audit_still_runs(
    loop, tmp_path: Path, monkeypatch, capsys
):
    ws, _, second, fakes = loop
    fakes["cohort"].return_value = dataclasses.replace(second, gate_passed=False)
    assert demo._loop(demo.DemoConfig(tmp_path, ws.checkout)) == ws.run / "audit.html"
    fakes["canary"].assert_not_called()
    fakes["audit"].assert_called_once_with(ws)
    out, err = capsys.readouterr()
    refusal = [line for line in err.splitlines() if "gate refused v2" in line]
    assert len(refusal) == 1, err
    assert "not a fault" in refusal[0] and f"remove {tmp_path} and run `readmit demo --seed 8`" in refusal[0]
    assert "canary analysis" not in out and "audit report" in out
