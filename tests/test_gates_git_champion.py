"""The champion `readmit gate` compares against when no registry alias names one: the stable version that
git says is live in environments/<env>/models.yaml."""

from __future__ import annotations

import json

import pytest

from git_repos import copy_of_repo, git
from readmit import gates, registry
from readmit.cli import main
from readmit.envs.state import EnvState, dump
from readmit.errors import InputError
from registry_versions import register, use_tmp_mlflow


@pytest.fixture
def store(monkeypatch, tmp_path):
    return use_tmp_mlflow(monkeypatch, tmp_path)


@pytest.fixture
def repo(repo_root, tmp_path, monkeypatch):
    repo = copy_of_repo(repo_root, tmp_path / "repo")
    monkeypatch.setenv("READMIT_REPO", str(repo))
    return repo


def make_live(repo, env: str, stable: int, canary: int | None = None) -> None:
    weights = {stable: 100} if canary is None else {stable: 90, canary: 10}
    state = EnvState({v: {} for v in weights}, weights, stable)
    (repo / f"environments/{env}/models.yaml").write_text(dump(state))
    git(repo, "-c", "user.name=t", "-c", "user.email=t@example.org", "commit", "-qam", f"{env}: v{stable}")


def test_without_an_alias_the_version_live_in_git_is_the_champion(store, repo):
    champion = register(store, roc_auc=0.72)
    candidate = register(store, roc_auc=0.69)
    make_live(repo, "prod", champion)
    assert registry.alias_version("champion-prod") is None
    result = gates.gate(candidate, "prod", repo=repo)
    assert result.champion == champion
    assert result.failures == [f"roc_auc 0.6900 regresses more than 0.01 below champion v{champion} (0.7200)"]


def test_the_stable_version_not_the_canary_is_the_champion(store, repo):
    champion, canary = register(store, roc_auc=0.72), register(store, roc_auc=0.60)
    make_live(repo, "staging", champion, canary)
    candidate = register(store, roc_auc=0.705)
    result = gates.gate(candidate, "staging", repo=repo)
    assert (result.champion, result.passed) == (champion, False)


def test_the_alias_outranks_git(store, repo):
    live_in_git, aliased = register(store, roc_auc=0.60), register(store, roc_auc=0.75)
    make_live(repo, "prod", live_in_git)
    registry.set_alias("champion-prod", aliased)
    assert gates.champion_version("prod", repo) == aliased


def test_an_env_with_nothing_live_has_no_champion(store, repo):
    assert gates.champion_version("dev", repo) is None
    version = register(store)
    assert gates.gate(version, "dev", repo=repo).champion is None


def test_regating_the_live_version_compares_it_with_the_floors_only(store, repo):
    version = register(store, roc_auc=0.69)
    make_live(repo, "prod", version)
    result = gates.gate(version, "prod", repo=repo, record=False)
    assert result.champion is None and result.passed
    assert "gate.prod" not in registry.version_info(version).tags


def test_cli_names_the_git_champion(store, repo, capsys):
    champion = register(store, roc_auc=0.72)
    make_live(repo, "prod", champion)
    candidate = register(store, roc_auc=0.73)
    main(["gate", "--version", str(candidate), "--env", "prod"])
    assert f"version {candidate} passed the prod gates (champion v{champion})" in capsys.readouterr().out


@pytest.fixture
def other_repo(repo_root, tmp_path):
    """A repo copy that is NOT the one readmit would find by itself: only the `repo` argument leads there."""
    return copy_of_repo(repo_root, tmp_path / "other")


def test_the_gates_are_the_model_gates_policy_of_the_repo_given(store, other_repo):
    policy = other_repo / "policies/model-gates/policy.rego"
    policy.write_text(policy.read_text().replace('"prod": {"roc_auc": 0.64,', '"prod": {"roc_auc": 0.70,'))
    version = register(store, roc_auc=0.68)
    result = gates.gate(version, "prod", repo=other_repo)
    assert (result.version, result.env) == (version, "prod")
    assert result.failures == ["roc_auc 0.6800 is below the prod floor 0.7000"]


def test_the_champion_is_the_version_live_in_the_repo_given(store, other_repo):
    champion = register(store, roc_auc=0.72)
    make_live(other_repo, "prod", champion)
    candidate = register(store, roc_auc=0.69)
    assert gates.gate(candidate, "prod", repo=other_repo).champion == champion


def test_an_environment_the_given_repo_does_not_have_is_refused(store, other_repo):
    (other_repo / "environments/order.yaml").write_text("environments: [dev, staging]\n")
    version = register(store)
    with pytest.raises(InputError, match=r"^--env prod: unknown environment; use one of dev, staging$"):
        gates.gate(version, "prod", repo=other_repo)


def test_the_advisory_warnings_are_returned_and_recorded_beside_the_verdict(store, repo):
    version = register(store, subgroup_auc_gap_ci_high=0.15)
    result = gates.gate(version, "prod", repo=repo)
    assert result.passed and result.warnings == [
        "subgroup_auc_gap 0.0500 (95% CI 0.0200-0.1500) straddles the prod ceiling 0.10; "
        "the test split cannot tell"
    ]
    tags = registry.version_info(version).tags
    assert (tags["gate.prod"], json.loads(tags["gate.prod.warnings"])) == ("passed", result.warnings)


def test_an_overlay_without_a_models_yaml_has_no_champion(store, other_repo):
    (other_repo / "environments/staging/models.yaml").unlink()
    assert gates.champion_version("staging", other_repo) is None
