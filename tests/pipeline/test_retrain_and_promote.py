"""End to end: tekton/pipelines/retrain-and-promote run by the local runner on a small synthetic cohort,
cloning a throw-away bare remote of this repository and pushing the promotion branch there. The run is
part 1 of `readmit demo` (the session's `demo_run`, shared with tests/demo so the pipeline trains once),
which runs `readmit pipeline run` with the params below. The user's checkout is never touched."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest

from readmit.cli import COMMANDS
from readmit.demo.retrain import REASON
from readmit.demo.retrain import SKIP as DEMO_SKIP

# trains a real model; shares the demo's worker (tests/demo/test_demo.py says why)
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("demo")]

# unit-test would run this very suite again. export-model needs `readmit export` (the serving issue);
# once that command exists the task runs here too (locally only its export step, see tekton/README.md).
SKIP = ["unit-test"] + ([] if "export" in COMMANDS else ["export-model"])


def _git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True, text=True).stdout


@pytest.fixture(scope="module")
def pipeline_run(demo_run):
    work, result, before, after = demo_run
    assert list(DEMO_SKIP) == SKIP, "the demo skips what this test expects skipped"
    ran = re.search(r"readmit pipeline run: \d+\.\d s, cpu \d+\.\d s \(exit 0\)", result.stderr)
    assert ran, result.stderr[-5000:]
    runs = sorted((work / "pipeline-runs").iterdir())
    return work, result, runs[-1], before, after


def test_the_pipeline_succeeds_and_streams_progress(pipeline_run):
    _, result, run_dir, _, _ = pipeline_run
    for task in ("git-clone", "synth-data", "ingest", "validate-data", "train", "gate", "scan", "promote"):
        assert f"] {task}: Succeeded (" in result.stderr
    assert "] tune: Skipped (When Expressions evaluated to false" in result.stderr
    assert "] build-image: Skipped (local fallback:" in result.stderr
    assert "retrain-and-promote: Completed" in result.stderr
    assert (run_dir / "train" / "train.log").stat().st_size > 0


def test_results_and_status_are_a_pipelinerun(pipeline_run):
    _, result, run_dir, _, _ = pipeline_run
    status = json.loads((run_dir / "pipelinerun.json").read_text())["status"]
    assert status["conditions"][0]["reason"] == "Completed"  # some tasks skipped, none failed
    results = {r["name"]: r["value"] for r in status["results"]}
    assert results["MODEL_VERSION"] == "1"
    assert results["GATE_RESULT"] == "passed" and results["SCAN_RESULT"] == "passed"
    assert results["PROMOTION_BRANCH"] == "promote/dev/v1"
    assert results["DATA_VERSION"].startswith("sha256:")
    assert results["IMAGE_DIGEST"] == "sha256:" + "0" * 64  # the local fallback's stand-in
    assert results["PR_DESCRIPTION"].startswith("# Promote readmission v1 to dev")
    skipped = {s["name"] for s in status["skippedTasks"]}
    assert skipped == {"tune", "build-image", *SKIP}
    assert "promote: Succeeded" in (run_dir / "notify" / "notify.log").read_text()


def test_the_promotion_branch_is_pushed_with_its_trailers(pipeline_run):
    work, result, run_dir, _, _ = pipeline_run
    status = json.loads((run_dir / "pipelinerun.json").read_text())["status"]
    results = {r["name"]: r["value"] for r in status["results"]}
    message = _git(work / "remote.git", "log", "-1", "--format=%B", "promote/dev/v1")
    assert "Model-Version: 1" in message
    assert f"Data-Version: {results['DATA_VERSION']}" in message
    assert "Gates: dev=passed" in message
    assert f"Reason: {REASON}" in message
    assert "Promoted-By: readmit CI <ci@readmit.invalid>" in message
    commit = {r["name"]: r["value"] for r in status["taskRuns"]["promote"]["results"]}["COMMIT"]
    assert _git(work / "remote.git", "rev-parse", "promote/dev/v1").strip() == commit


def test_the_users_checkout_is_untouched(pipeline_run):
    _, _, _, before, after = pipeline_run
    assert before == after
