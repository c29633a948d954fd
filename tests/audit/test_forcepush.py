"""Force-push (missing ancestry): detected from reflogs and from heads recorded by an earlier audit."""

from __future__ import annotations

import subprocess

import pytest

from git_repos import git, use_identity
from readmit.audit import audit
from readmit.audit.forcepush import force_pushes


@pytest.fixture
def small_repo(tmp_path, monkeypatch):
    use_identity(monkeypatch)
    repo = tmp_path / "repo"
    (repo / "environments" / "dev").mkdir(parents=True)
    git(repo.parent, "init", "-q", "-b", "main", str(repo))
    for i in range(3):
        (repo / "environments/dev/kustomization.yaml").write_text(f"# revision {i}\n")
        git(repo, "add", "-A")
        git(repo, "commit", "-qm", f"revision {i}")
    return repo


def test_a_linear_history_has_no_force_push(small_repo):
    assert force_pushes(small_repo) == []
    assert force_pushes(small_repo) == []  # and recording the heads does not create one


def test_rewriting_the_branch_is_reported_with_the_lost_commit(small_repo):
    lost = git(small_repo, "rev-parse", "HEAD").strip()
    git(small_repo, "reset", "-q", "--hard", "HEAD~1")
    (small_repo / "environments/dev/kustomization.yaml").write_text("# rewritten\n")
    git(small_repo, "commit", "-qam", "rewritten")
    found = force_pushes(small_repo)
    assert [a.kind for a in found] == ["force-push"]
    assert lost[:12] in found[0].message and "history was rewritten or force-pushed" in found[0].message


def test_a_head_seen_by_an_earlier_audit_and_gone_is_reported_without_reflogs(small_repo):
    audit(small_repo, fmt="md", registry=False, policies=False)  # records the current head
    seen = git(small_repo, "rev-parse", "HEAD").strip()
    git(small_repo, "reset", "-q", "--hard", "HEAD~1")
    git(small_repo, "reflog", "expire", "--expire=now", "--all")
    git(small_repo, "gc", "-q", "--prune=now")
    found = audit(small_repo, fmt="md", registry=False, policies=False).anomalies
    assert [(a.kind, a.commit) for a in found] == [("force-push", seen)]


def test_a_force_push_upstream_shows_in_the_clone_after_fetch(small_repo, tmp_path):
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", str(small_repo), str(clone)], check=True)
    git(small_repo, "commit", "-q", "--amend", "-m", "revision 2, amended")
    git(clone, "fetch", "-q", "origin")
    found = force_pushes(clone)
    assert any("refs/remotes/origin/main" in a.message for a in found)
