"""End to end: `readmit pipeline run` executes tekton/pipelines/retrain-and-promote on a small synthetic
cohort, cloning a throw-away bare remote of this repository (built as `readmit demo` builds it), and
pushes the promotion branch there. The user's checkout is never touched."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from readmit.cli import COMMANDS
from readmit.demo.workspace import demo_environment, throwaway_clone

pytestmark = pytest.mark.slow  # trains a real model (~7 min on 2 busy cores)

PIPELINE = Path("tekton/pipelines/retrain-and-promote/0.1/retrain-and-promote.yaml")
REASON = "e2e: retrain on a synthetic cohort"
# unit-test would run this very suite again. export-model needs `readmit export` (the serving issue);
# once that command exists the task runs here too (locally only its export step, see tekton/README.md).
SKIP = ["unit-test"] + ([] if "export" in COMMANDS else ["export-model"])


def _git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True, text=True).stdout


def _users_checkout(repo: Path) -> tuple[str, str, str]:
    """HEAD, promotion branches and the state of environments/ (other branches may come and go: the
    worktrees of one clone share their refs)."""
    return (
        _git(repo, "rev-parse", "HEAD"),
        _git(repo, "branch", "--list", "promote/*"),
        _git(repo, "status", "--porcelain", "--", "environments"),
    )


@pytest.fixture(scope="module")
def pipeline_run(tmp_path_factory, repo_root: Path, crd_schema_dir: Path):
    work = tmp_path_factory.mktemp("e2e")
    before = _users_checkout(repo_root)
    throwaway_clone(repo_root, work)
    env = demo_environment(work)
    env["READMIT_HOME"] = str(work / "runner")
    env["PYTHONPATH"] = os.pathsep.join([str(repo_root / "model-src" / "src"), env.get("PYTHONPATH", "")])
    args = [
        *("--param", f"REPO_URL={work / 'remote.git'}", "--param", "REVISION=HEAD"),
        *("--param", "SYNTHETIC_PATIENTS=1500", "--param", "SEED=7", "--param", f"REASON={REASON}"),
        *("--param", f"MLFLOW_TRACKING_URI=sqlite:///{work / 'mlflow.db'}"),
        *("--workspace", f"source={work / 'source'}", "--jobs", "2"),
        *[a for task in SKIP for a in ("--skip", task)],
    ]
    result = subprocess.run(
        [sys.executable, "-m", "readmit", "pipeline", "run", str(repo_root / PIPELINE), *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=work,
    )
    runs = sorted((work / "runner" / "pipeline-runs").iterdir())
    after = _users_checkout(repo_root)
    return work, result, runs[-1], before, after


def test_the_pipeline_succeeds_and_streams_progress(pipeline_run):
    _, result, run_dir, _, _ = pipeline_run
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-5000:]
    for task in ("git-clone", "synth-data", "ingest", "validate-data", "train", "gate", "scan", "promote"):
        assert f"] {task}: Succeeded (" in result.stderr
    assert "] tune: Skipped (When Expressions evaluated to false" in result.stderr
    assert "] build-image: Skipped (local fallback:" in result.stderr
    assert "retrain-and-promote: Completed" in result.stderr
    assert (run_dir / "train" / "train.log").stat().st_size > 0


def test_results_and_status_are_a_pipelinerun(pipeline_run):
    _, result, run_dir, _, _ = pipeline_run
    assert result.returncode == 0
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
    assert result.returncode == 0
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
