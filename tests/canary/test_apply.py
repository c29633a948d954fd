"""`readmit canary analyze --apply` on a copy of this repo with a real (tmp) MLflow registry: the verdict
becomes a branch and a commit with a Canary-Analysis trailer, the analysis is in the PR text."""

from __future__ import annotations

import pytest

from git_repos import copy_of_repo, git, trailers, use_identity
from inference_logs import arm, traffic, write_log
from readmit import registry
from readmit.canary import record
from readmit.canary.analyze import run
from readmit.cli import main
from readmit.promote import promote
from registry_versions import register, use_tmp_mlflow

pytestmark = pytest.mark.slow


@pytest.fixture
def canary_repo(repo_root, tmp_path, monkeypatch):
    """dev runs v1 at 90% and v2 as a 10% canary (dev's canary limit is 50)."""
    import readmit.manifests.check

    monkeypatch.setattr(
        readmit.manifests.check, "check", lambda **kwargs: []
    )  # tested by the manifests suite
    use_identity(monkeypatch)
    repo = copy_of_repo(repo_root, tmp_path / "repo")
    model = use_tmp_mlflow(monkeypatch, tmp_path)
    versions = [register(model), register(model)]
    for v in versions:
        registry.set_version_tags(v, {"gate.dev": "passed"})
    promote("dev", versions[0], full=True, repo=repo, trivy=False)
    promote("dev", versions[1], weight=10, repo=repo, trivy=False)
    return repo, versions


def test_a_healthy_canary_advances_to_the_next_weight_by_commit(canary_repo, tmp_path):
    repo, (stable, canary) = canary_repo
    log = write_log(tmp_path / "log.jsonl", *traffic(arm(stable, 2700), arm(canary, 400)))
    pr = tmp_path / "pr.md"
    result = run("dev", log, apply=True, repo=repo, out=tmp_path / "analysis", pr_out=pr)
    assert result.verdict.decision == "advance" and result.verdict.next_weight == 50
    assert result.applied.branch == f"promote/dev/v{canary}-canary-50"
    assert trailers(repo)["Canary-Analysis"] == f"advance 10->50 v{canary}"
    assert "weight: 50" in (repo / "environments/dev/models.yaml").read_text()
    assert "# Canary analysis: dev" in pr.read_text()
    assert {p.name for p in (tmp_path / "analysis").iterdir()} == {
        "analysis.md",
        "analysis.html",
        "analysis.json",
        "applied.json",  # the branch and commit, read back as the Tekton task's BRANCH result
    }
    assert record.applied_branch(tmp_path / "analysis") == result.applied.branch
    assert "data:image/png;base64," in (tmp_path / "analysis" / "analysis.html").read_text()


def test_a_failing_canary_is_rolled_back_by_commit(canary_repo, tmp_path, capsys):
    repo, (stable, canary) = canary_repo
    log = write_log(tmp_path / "log.jsonl", *traffic(arm(stable, 2700), arm(canary, 400, error_rate=0.05)))
    main(
        [
            "canary",
            "analyze",
            "--env",
            "dev",
            "--log",
            str(log),
            "--apply",
            "--repo",
            str(repo),
            "--out",
            str(tmp_path / "a"),
        ]
    )
    out, err = capsys.readouterr()
    assert "**roll back**" in out and f"rollback/dev/v{canary}" in err
    t = trailers(repo)
    assert t["Rollback-Of"] == str(canary) and t["Canary-Analysis"].startswith(
        f"rollback v{canary} (error rate"
    )
    assert f"readmission-v{canary}" not in (repo / "environments/dev/models.yaml").read_text()


def test_too_little_traffic_holds_and_changes_nothing(canary_repo, tmp_path):
    repo, (stable, canary) = canary_repo
    head = git(repo, "rev-parse", "HEAD")
    log = write_log(tmp_path / "log.jsonl", *traffic(arm(stable, 500), arm(canary, 40)))
    result = run("dev", log, apply=True, repo=repo, out=tmp_path / "analysis")
    assert result.verdict.decision == "hold" and result.applied is None
    assert git(repo, "rev-parse", "HEAD") == head
