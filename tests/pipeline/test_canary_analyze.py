"""The scheduled canary analysis, run locally: `readmit pipeline run` executes
tekton/pipelines/canary-analyze against a throw-away repository whose `main` runs a 10% canary in dev,
cloned from a bare remote, and pushes the verdict's branch there with its Canary-Analysis trailer."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

import readmit.manifests.check
from git_repos import copy_of_repo, git, use_identity
from inference_logs import arm, traffic, write_log
from readmit import paths, registry
from readmit.pipeline.run import Options, run
from readmit.promote import promote
from registry_versions import register, use_tmp_mlflow

pytestmark = pytest.mark.slow  # two real promotion checks (render, policies, trivy) in subprocesses

PIPELINE = Path("tekton/pipelines/canary-analyze/0.1/canary-analyze.yaml")


@pytest.fixture
def canary_remote(repo_root, tmp_path, monkeypatch, crd_schema_dir):
    """A bare remote whose main has dev at v1 90% / v2 10% (registered, dev gates passed)."""
    use_identity(monkeypatch)
    monkeypatch.delenv("READMIT_REPO", raising=False)
    monkeypatch.setenv("READMIT_SHARED", str(paths.shared_dir()))
    monkeypatch.setenv("READMIT_CRD_SCHEMAS", str(crd_schema_dir))
    repo = copy_of_repo(repo_root, tmp_path / "seed")
    model = use_tmp_mlflow(monkeypatch, tmp_path)
    stable, canary = register(model), register(model)
    for v in (stable, canary):
        registry.set_version_tags(v, {"gate.dev": "passed"})
    with monkeypatch.context() as m:  # the setup's own promotions: checked by the promote suite
        m.setattr(readmit.manifests.check, "check", lambda **kwargs: [])
        for version, kwargs in ((stable, {"full": True}), (canary, {"weight": 10})):
            result = promote("dev", version, repo=repo, trivy=False, **kwargs)
            git(repo, "switch", "-q", "main")
            git(repo, "merge", "-q", "--ff-only", result.branch)  # the reviewer merged it
    remote = tmp_path / "remote.git"
    subprocess.run(["git", "clone", "-q", "--bare", str(repo), str(remote)], check=True)
    return remote, stable, canary


def _run(repo_root, tmp_path, remote, logs, name):
    lines: list[str] = []
    params = {
        "REPO_URL": str(remote),
        "ENV": "dev",
        "MLFLOW_TRACKING_URI": f"sqlite:///{tmp_path / 'mlflow.db'}",
    }
    workspaces = {"source": str(tmp_path / f"source-{name}"), "inference-logs": str(logs)}
    state = run(
        repo_root / PIPELINE,
        Options(params=params, workspaces=workspaces, run_name=name),
        say=lines.append,
    )
    status = json.loads((state.directory / "pipelinerun.json").read_text())["status"]
    return status, lines


def test_a_healthy_canary_is_advanced_by_a_pushed_commit(repo_root, tmp_path, canary_remote):
    remote, stable, canary = canary_remote
    logs = tmp_path / "logs"
    logs.mkdir()
    write_log(logs / "readmission.jsonl", *traffic(arm(stable, 2700), arm(canary, 400)))
    status, lines = _run(repo_root, tmp_path, remote, logs, "advance")
    assert status["conditions"][0]["reason"] == "Succeeded", lines
    results = {r["name"]: r["value"] for r in status["results"]}
    branch = f"promote/dev/v{canary}-canary-50"
    assert results == {"VERDICT": "advance", "BRANCH": branch}
    message = git(remote, "log", "-1", "--format=%B", branch)
    assert f"Canary-Analysis: advance 10->50 v{canary}" in message
    assert "Promoted-By: readmit CI <ci@readmit.invalid>" in message
    models = git(remote, "show", f"{branch}:environments/dev/models.yaml")
    assert "weight: 50" in models
    assert "weight: 10" in git(remote, "show", "main:environments/dev/models.yaml")  # main waits for review
    analysis = {r["name"]: r["value"] for r in status["taskRuns"]["analyze"]["results"]}["ANALYSIS"]
    assert analysis.startswith("# Canary analysis: dev")


def test_a_failing_canary_is_rolled_back_and_too_little_traffic_pushes_nothing(
    repo_root, tmp_path, canary_remote
):
    remote, stable, canary = canary_remote
    failing, quiet = tmp_path / "failing", tmp_path / "quiet"
    failing.mkdir()
    quiet.mkdir()
    write_log(failing / "readmission.jsonl", *traffic(arm(stable, 2700), arm(canary, 400, error_rate=0.05)))
    write_log(quiet / "readmission.jsonl", *traffic(arm(stable, 500), arm(canary, 40)))
    status, _ = _run(repo_root, tmp_path, remote, failing, "rollback")
    results = {r["name"]: r["value"] for r in status["results"]}
    assert results == {"VERDICT": "rollback", "BRANCH": f"rollback/dev/v{canary}"}
    message = git(remote, "log", "-1", "--format=%B", f"rollback/dev/v{canary}")
    assert f"Rollback-Of: {canary}" in message and f"Canary-Analysis: rollback v{canary}" in message
    before = git(remote, "for-each-ref")
    status, _ = _run(repo_root, tmp_path, remote, quiet, "hold")
    assert {r["name"]: r["value"] for r in status["results"]} == {"VERDICT": "hold", "BRANCH": ""}
    assert git(remote, "for-each-ref") == before
