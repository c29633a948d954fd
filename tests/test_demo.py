"""The main job end to end: synth -> ingest -> train -> gate -> promote (throw-away clone) -> audit."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest


def _git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True, text=True).stdout


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory, repo_root: Path, crd_schema_dir: Path):
    work = tmp_path_factory.mktemp("demo") / "work"
    before = (
        _git(repo_root, "rev-parse", "HEAD"),
        _git(repo_root, "branch", "--list"),
        _git(repo_root, "status", "--porcelain", "--", "environments"),
    )
    env = {
        k: v
        for k, v in __import__("os").environ.items()
        if k not in ("READMIT_PSEUDONYM_KEY", "MLFLOW_TRACKING_URI", "READMIT_HOME")
    }
    result = subprocess.run(
        [sys.executable, "-m", "readmit", "demo", "--patients", "1500", "--seed", "7", "--work", str(work)],
        capture_output=True,
        text=True,
        env=env,
        cwd=repo_root,
    )
    after = (
        _git(repo_root, "rev-parse", "HEAD"),
        _git(repo_root, "branch", "--list"),
        _git(repo_root, "status", "--porcelain", "--", "environments"),
    )
    return work, result, before, after


def test_demo_completes_and_names_its_report(demo_run):
    work, result, _, _ = demo_run
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert f"demo: audit report: {work / 'audit.html'}" in result.stdout
    assert "generated a throw-away key" in result.stdout
    assert (work / "audit.html").read_text().lstrip().lower().startswith("<!doctype html")


def test_demo_pushes_a_promotion_branch_with_trailers_to_the_bare_remote(demo_run):
    work, result, _, _ = demo_run
    assert result.returncode == 0
    message = _git(work / "remote.git", "log", "-1", "--format=%B", "promote/dev/v1")
    for trailer in (
        "Model-Version: 1",
        "Model-Run:",
        "Model-Digest: sha256:",
        "Data-Version: sha256:",
        "Metrics:",
        "Gates:",
        "Previous-Version:",
        "Promoted-By:",
        "Reason:",
    ):
        assert trailer in message
    assert "# Promote readmission v1 to dev" in (work / "pull-request.md").read_text()


def test_demo_never_touches_the_users_checkout(demo_run):
    _, _, before, after = demo_run
    assert before == after
