"""`readmit registry sync [--check]`: environment aliases follow the stable version git serves."""

from __future__ import annotations

from pathlib import Path

import pytest

from readmit import registry
from readmit.cli import main
from readmit.envs.state import EnvState, dump
from readmit.errors import CheckFailed
from readmit.promote import sync
from registry_versions import register, use_tmp_mlflow


def _environments(repo: Path, names: list[str]) -> None:
    (repo / "environments").mkdir(parents=True, exist_ok=True)
    (repo / "environments" / "order.yaml").write_text(f"environments: [{', '.join(names)}]\n")


def _serve(repo: Path, env: str, default: int | None, canary: int | None = None) -> None:
    weights = {} if default is None else {default: 100 if canary is None else 90}
    if canary is not None:
        weights[canary] = 10
    state = EnvState({v: {} for v in weights}, weights, default)
    path = repo / "environments" / env / "models.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(dump(state))


@pytest.fixture
def versions(tmp_path, monkeypatch):
    model = use_tmp_mlflow(monkeypatch, tmp_path)
    return [register(model) for _ in range(3)]


def test_sync_moves_sets_and_drops_aliases_then_check_passes(tmp_path, versions):
    v1, v2, v3 = versions
    repo = tmp_path / "repo"
    _environments(repo, ["first", "second", "third"])
    _serve(repo, "first", v2, canary=v3)  # a canary does not move the alias
    _serve(repo, "second", v1)
    _serve(repo, "third", None)
    registry.set_alias("first", v1)
    registry.set_alias("third", v1)
    with pytest.raises(CheckFailed) as err:
        sync.check(repo)
    where = "registry-sync: alias '{0}' points at {1} but environments/{0}/models.yaml serves {2}"
    assert sorted(err.value.problems) == [
        where.format("first", f"v{v1}", f"v{v2}"),
        where.format("second", "no version", f"v{v1}"),
        where.format("third", f"v{v1}", "no version"),
    ]
    changed = sync.sync(repo)
    assert {d.env for d in changed} == {"first", "second", "third"}
    aliases = registry.aliases()
    assert (aliases["first"], aliases["second"], "third" in aliases) == (v2, v1, False)
    assert aliases[registry.CANDIDATE_ALIAS] == v3  # not an environment: left alone
    assert sync.check(repo) == []
    assert sync.sync(repo) == []


def test_cli_check_exits_1_and_sync_reports(tmp_path, versions, capsys):
    repo = tmp_path / "repo"
    _environments(repo, ["only"])
    _serve(repo, "only", versions[0])
    with pytest.raises(SystemExit) as exit_:
        main(["registry", "sync", "--check", "--repo", str(repo)])
    assert exit_.value.code == 1
    assert "alias 'only' points at no version" in capsys.readouterr().err
    main(["registry", "sync", "--repo", str(repo)])
    assert f"alias only: unset -> v{versions[0]}" in capsys.readouterr().out
    main(["registry", "sync", "--check", "--repo", str(repo)])
    assert "the registry matches git" in capsys.readouterr().out


def test_a_version_git_serves_but_the_registry_lacks_is_an_input_error(tmp_path, versions):
    repo = tmp_path / "repo"
    _environments(repo, ["only"])
    _serve(repo, "only", 99)
    with pytest.raises(Exception, match="version 99 not found"):
        sync.sync(repo)
