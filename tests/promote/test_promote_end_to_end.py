"""Promotion claims end to end on a copy of this repo: rollback restores the previous version, the real
manifests check sees the new models.yaml, and a failure after a push removes the pushed branch."""

from __future__ import annotations

import subprocess

import pytest

from git_repos import git, state_of
from readmit import registry
from readmit.envs.state import parse
from readmit.errors import CheckFailed, InputError
from readmit.promote import promote, rollback
from registry_versions import register

pytestmark = pytest.mark.slow


@pytest.fixture
def no_manifest_problems(monkeypatch):
    """The manifests check is exercised for real below; elsewhere here it would only cost time."""
    import readmit.manifests.check

    monkeypatch.setattr(readmit.manifests.check, "check", lambda **kwargs: [])


def gated(model, env="dev") -> int:
    version = register(model)
    registry.set_version_tags(version, {f"gate.{env}": "passed"})
    return version


def live(repo, env="dev"):
    return parse((repo / f"environments/{env}/models.yaml").read_text())


def test_rollback_after_three_full_versions_restores_the_middle_one(repo, model, no_manifest_problems):
    first, second, third = gated(model), gated(model), gated(model)
    for version in (first, second, third):
        promote("dev", version, full=True, repo=repo, trivy=False)
    result = rollback("dev", reason="bad calibration", repo=repo, trivy=False)
    assert (result.version, result.previous, result.branch) == (second, third, f"rollback/dev/v{third}")
    assert live(repo).weights == {second: 100} and live(repo).default == second


def test_rollback_skips_the_canary_states_and_restores_the_last_version_that_ran_alone(
    repo, model, no_manifest_problems
):
    first, second = gated(model), gated(model)
    promote("dev", first, full=True, repo=repo, trivy=False)
    promote("dev", second, weight=10, repo=repo, trivy=False)
    promote("dev", second, full=True, repo=repo, trivy=False)
    assert rollback("dev", repo=repo, trivy=False).version == first


def test_rollback_of_the_first_version_is_refused(repo, model, no_manifest_problems):
    promote("dev", gated(model), full=True, repo=repo, trivy=False)
    before = state_of(repo)
    with pytest.raises(InputError, match="is the first version that ran here"):
        rollback("dev", repo=repo, trivy=False)
    assert state_of(repo) == before


def test_a_new_models_yaml_that_breaks_the_real_manifests_check_is_refused(repo, model):
    """The overlay patches a Model that is not live yet; only the new models.yaml makes the patch apply,
    so only a check of the scratch copy holding it can see the invalid field."""
    version = gated(model)
    kustomization = repo / "environments/dev/kustomization.yaml"
    kustomization.write_text(
        kustomization.read_text()
        + "patches:\n"
        + f"  - target: {{kind: Model, name: readmission-v{version}}}\n"
        + '    patch: \'[{"op": "add", "path": "/spec/replicas", "value": "two"}]\'\n'
    )
    git(repo, "commit", "-qam", "dev: pin replicas of the next model")
    before = state_of(repo)
    with pytest.raises(CheckFailed, match="fails .* check") as refused:
        promote("dev", version, full=True, repo=repo, trivy=False)
    manifest_lines = [p for p in refused.value.problems if p.startswith("manifests: ")]
    assert manifest_lines and any(f"readmission-v{version}" in p and "replicas" in p for p in manifest_lines)
    assert state_of(repo) == before


def test_a_failure_after_the_push_deletes_the_pushed_branch(repo, model, tmp_path, no_manifest_problems):
    remote = tmp_path / "remote.git"
    subprocess.run(["git", "init", "-q", "--bare", str(remote)], check=True)
    git(repo, "remote", "add", "origin", str(remote))
    git(repo, "push", "-q", "origin", "main")
    version = gated(model)
    (tmp_path / "pr.md").mkdir()  # the PR description, written after the push, cannot be written here
    before, remote_before = state_of(repo), git(remote, "for-each-ref", "--format=%(refname)")
    with pytest.raises(OSError):
        promote("dev", version, full=True, repo=repo, push="origin", pr_out=tmp_path / "pr.md", trivy=False)
    assert git(remote, "for-each-ref", "--format=%(refname)") == remote_before == "refs/heads/main\n"
    assert state_of(repo) == before
