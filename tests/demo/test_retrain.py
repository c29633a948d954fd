"""Part 1's reading of the PipelineRun: its results, and a version the gate refused told as such."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from readmit.demo.retrain import pipeline_results
from readmit.errors import CheckFailed


def _run_dir(tmp_path: Path, results: dict[str, str]) -> Path:
    status = {"results": [{"name": k, "value": v} for k, v in results.items()]}
    (tmp_path / "pipelinerun.json").write_text(json.dumps({"status": status}))
    return tmp_path


def test_the_results_of_a_promoting_run_are_read(tmp_path: Path):
    found = {"MODEL_VERSION": "1", "PROMOTION_BRANCH": "promote/dev/v1", "DATA_VERSION": "sha256:x"}
    assert pipeline_results(_run_dir(tmp_path, found | {"GATE_RESULT": "passed"}), "dev", tmp_path) == (
        found | {"GATE_RESULT": "passed"}
    )


def test_a_version_the_gate_refused_stops_the_demo_saying_so_not_as_a_missing_result(tmp_path: Path):
    run = _run_dir(tmp_path, {"MODEL_VERSION": "3", "DATA_VERSION": "sha256:x", "GATE_RESULT": "failed"})
    with pytest.raises(CheckFailed, match=r"the dev gate refused v3, .*not a fault.*remove .* run the demo"):
        pipeline_results(run, "dev", tmp_path / "work")


def test_a_run_without_its_results_names_what_is_missing(tmp_path: Path):
    with pytest.raises(CheckFailed, match="no result PROMOTION_BRANCH"):
        pipeline_results(_run_dir(tmp_path, {"MODEL_VERSION": "1", "DATA_VERSION": "d"}), "dev", tmp_path)
