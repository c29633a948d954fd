"""`readmit promote` / `rollback` on a copy of this repo with a real (tmp) MLflow registry."""

from __future__ import annotations

import contextlib
import subprocess

import pytest

from git_repos import git, state_of, trailers
from readmit import registry
from readmit.cli import main
from readmit.errors import CheckFailed, InputError
from readmit.manifests import check as manifests_check
from readmit.manifests.trivy import start as start_trivy
from readmit.promote import checks, flow, promote, rollback
from registry_versions import gated, register

pytestmark = pytest.mark.slow


def test_full_promotion_commits_on_a_new_branch_with_every_trailer(repo, model):
    version = gated(model)
    result = promote("dev", version, full=True, reason="first model", repo=repo, trivy=False)
    assert result.branch == f"promote/dev/v{version}"
    assert git(repo, "symbolic-ref", "--short", "HEAD").strip() == result.branch
    assert git(repo, "rev-parse", "HEAD").strip() == result.commit
    assert git(repo, "diff", "--name-only", "main", result.commit).split() == ["environments/dev/models.yaml"]
    info = registry.version_info(version)
    assert trailers(repo) == {
        "Model-Version": str(version),
        "Model-Run": info.run_id,
        "Model-Digest": info.model_digest,
        "Data-Version": info.data_version,
        "Metrics": "auprc=0.2200,brier=0.0950,calibration_intercept=0.0100,calibration_slope=1.0200,"
        "ece=0.0120,roc_auc=0.6800,roc_auc_ci_low=0.6600,subgroup_attributes_compared=3.0000,"
        "subgroup_auc_gap=0.0500,subgroup_auc_gap_ci_high=0.0800,subgroup_auc_gap_ci_low=0.0200",
        "Gates": "dev=passed",
        "Previous-Version": "none",
        "Promoted-By": "Pat Promoter <pat@hospital.example>",
        "Reason": "first model",
    }
    text = (repo / "environments/dev/models.yaml").read_text()
    assert f"name: readmission-v{version}" in text and "weight: 100" in text
    assert f"readmit.io/model-digest: {info.model_digest}" in text


def test_with_trivy_the_scan_started_before_the_registry_answered_is_the_one_the_check_uses(
    repo, model, monkeypatch
):
    """trivy runs once: started on the new models.yaml bar its provenance while the registry is read, and
    taken by `manifests check` because its input is exactly what the check would give trivy."""
    version = gated(model)
    started = []

    @contextlib.contextmanager
    def counted(given):
        started.append(given)
        with start_trivy(given) as scan:
            yield scan

    def no_second_start(given):
        raise AssertionError("manifests check started trivy again: the early scan's input differed")

    monkeypatch.setattr(checks, "start_trivy", counted)
    monkeypatch.setattr(manifests_check, "start_trivy", no_second_start)
    result = promote("dev", version, full=True, repo=repo, trivy=True)
    assert "readmit manifests check environments/dev: passed" in result.pr_markdown
    [given] = started
    assert any(b"kind: Model" in text for text in given.files.values())
    assert not any(b"readmit.io/model-digest" in text for text in given.files.values())


def test_the_pr_description_is_the_reviewers_whole_view(repo, model, tmp_path, manifests_problems):
    first = gated(model, roc_auc=0.66)
    promote("dev", first, full=True, repo=repo, trivy=False)
    second = gated(model, roc_auc=0.70)
    out = tmp_path / "pr.md"
    result = promote("dev", second, weight=20, repo=repo, pr_out=out, trivy=False)
    md = out.read_text()
    assert md == result.pr_markdown
    assert f"# Promote readmission v{second} to dev at 20%" in md
    assert "| roc_auc | 0.7000 | 0.6600 | +0.0400 |" in md
    assert f"champion v{first}" in md
    assert "## Gates\n\n- dev: passed (failures: [])" in md
    assert (
        "- policy image-provenance: passed\n- policy phi-isolation: passed\n- policy promotion: passed" in md
    )
    assert "readmit manifests check environments/dev: passed" in md
    assert f"+  name: readmission-v{second}" in md and "weight: 20" in md


def test_a_version_that_failed_its_gates_is_refused(repo, model):
    version = register(model)
    registry.set_version_tags(version, {"gate.dev": "failed", "gate.dev.failures": '["auprc too low"]'})
    before = state_of(repo)
    with pytest.raises(CheckFailed, match="has not passed its dev gates") as info:
        promote("dev", version, full=True, repo=repo, trivy=False)
    assert info.value.problems == ['["auprc too low"]']
    assert state_of(repo) == before


def test_a_dirty_tree_is_refused(repo, model):
    version = gated(model)
    (repo / "notes.txt").write_text("wip\n")
    before = state_of(repo)
    with pytest.raises(InputError, match="working tree is dirty"):
        promote("dev", version, full=True, repo=repo, trivy=False)
    assert state_of(repo) == before


def test_a_policy_failure_leaves_everything_as_it_was(repo, model):
    version = gated(model, envs=("dev", "prod"))
    before = state_of(repo)
    with pytest.raises(CheckFailed) as info:
        promote("prod", version, full=True, repo=repo, trivy=False)
    assert any(
        p.startswith("promotion: Model/readmission-v") and "never ran at 100% in staging" in p
        for p in info.value.problems
    )
    assert state_of(repo) == before


def test_a_manifests_problem_refuses_and_changes_nothing(repo, model, manifests_problems):
    version = gated(model)
    manifests_problems.append("environments/dev: Model/readmission-v1: spec.bogus: unknown field")
    before = state_of(repo)
    with pytest.raises(CheckFailed, match="promotion refused") as info:
        promote("dev", version, full=True, repo=repo, trivy=False)
    assert info.value.problems == [
        "manifests: environments/dev: Model/readmission-v1: spec.bogus: unknown field"
    ]
    assert state_of(repo) == before


def test_a_failed_push_removes_the_branch_and_switches_back(repo, model, manifests_problems):
    version = gated(model)
    before = state_of(repo)
    with pytest.raises(CheckFailed, match="git push failed"):
        promote("dev", version, full=True, repo=repo, push="nowhere", trivy=False)
    assert state_of(repo) == before


def test_push_publishes_the_branch(repo, model, tmp_path, manifests_problems):
    subprocess.run(["git", "init", "-q", "--bare", str(tmp_path / "remote.git")], check=True)
    git(repo, "remote", "add", "origin", str(tmp_path / "remote.git"))
    version = gated(model)
    result = promote("dev", version, full=True, repo=repo, push="origin", trivy=False)
    assert git(tmp_path / "remote.git", "rev-parse", result.branch).strip() == result.commit


def test_an_env_file_changed_while_promoting_is_refused(repo, model, monkeypatch, manifests_problems):
    version = gated(model)
    real = flow.check_in_scratch_copy

    def meanwhile(*args, **kwargs):
        checked = real(*args, **kwargs)
        (repo / "environments/dev/models.yaml").write_text("# someone else\n")
        git(repo, "commit", "-qam", "concurrent edit")
        return checked

    monkeypatch.setattr(flow, "check_in_scratch_copy", meanwhile)
    before_branches = git(repo, "branch", "--list")
    with pytest.raises(CheckFailed, match="changed since promote read it"):
        promote("dev", version, full=True, repo=repo, trivy=False)
    assert git(repo, "branch", "--list") == before_branches


def test_rollback_drops_a_canary_with_a_rollback_of_trailer(repo, model, manifests_problems):
    first, second = gated(model), gated(model)
    promote("dev", first, full=True, repo=repo, trivy=False)
    promote("dev", second, weight=30, repo=repo, trivy=False)
    result = rollback("dev", reason="latency", repo=repo, trivy=False)
    assert result.branch == f"rollback/dev/v{second}"
    t = trailers(repo)
    assert (t["Model-Version"], t["Rollback-Of"], t["Previous-Version"], t["Reason"]) == (
        str(first),
        str(second),
        str(first),
        "latency",
    )
    assert f"readmission-v{second}" not in (repo / "environments/dev/models.yaml").read_text()


def test_rollback_reads_the_history_of_environments_once(repo, model, manifests_problems, monkeypatch):
    import readmit.envs.history

    first, second = gated(model), gated(model)
    promote("dev", first, full=True, repo=repo, trivy=False)
    promote("dev", second, full=True, repo=repo, trivy=False)
    reads = []
    real = readmit.envs.history.read_log
    monkeypatch.setattr(readmit.envs.history, "read_log", lambda *a, **k: reads.append(a) or real(*a, **k))
    result = rollback("dev", repo=repo, trivy=False)
    assert result.branch == f"rollback/dev/v{second}" and result.version == first
    assert len(reads) == 1


def test_cli_promotes_and_prints_the_pr(repo, model, capsys, manifests_problems):
    version = gated(model)
    main(["promote", "--env", "dev", "--version", str(version), "--repo", str(repo), "--reason", "cli"])
    out, err = capsys.readouterr()
    assert out.startswith(f"# Promote readmission v{version} to dev at 100%")
    assert f"created branch promote/dev/v{version}" in err


def test_cli_refuses_an_ungated_version_with_exit_1(repo, model, capsys):
    version = register(model)
    with pytest.raises(SystemExit) as exit_info:
        main(["promote", "--env", "staging", "--version", str(version), "--repo", str(repo)])
    assert exit_info.value.code == 1
    assert "has not passed its staging gates (never gated)" in capsys.readouterr().err


def test_an_existing_branch_is_refused_and_nothing_changes(repo, model, manifests_problems):
    version = gated(model)
    git(repo, "branch", f"promote/dev/v{version}")
    before = state_of(repo)
    with pytest.raises(InputError, match="the branch already exists"):
        promote("dev", version, full=True, repo=repo, trivy=False)
    assert state_of(repo) == before


def test_a_pr_file_that_cannot_be_written_undoes_the_branch(repo, model, tmp_path, manifests_problems):
    version = gated(model)
    (tmp_path / "not-a-dir").write_text("x")
    before = state_of(repo)
    with pytest.raises(OSError):
        promote("dev", version, full=True, repo=repo, pr_out=tmp_path / "not-a-dir" / "pr.md", trivy=False)
    assert state_of(repo) == before
