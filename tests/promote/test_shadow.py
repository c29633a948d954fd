"""Shadow mode (`readmit promote --mirror`): the version enters the Experiment as Seldon's `spec.mirror`.
What `transitions.shadow` itself returns and refuses is in test_transition_guards.py, which mutmut runs."""

from __future__ import annotations

import pytest
import yaml

from git_repos import trailers
from readmit.cli import main
from readmit.envs.state import EnvState, dump, parse
from readmit.errors import InputError
from readmit.promote import flow
from readmit.promote.transitions import promote, rollback_target, shadow
from registry_versions import gated

A = {"readmit.io/model-version": "x"}


def test_the_mirror_is_written_as_seldons_experiment_spec_and_read_back():
    state = shadow(EnvState({1: A, 2: A}, {1: 90, 2: 10}, 1), 3, A, 100)
    text = dump(state)
    experiment = [d for d in yaml.safe_load_all(text) if d and d["kind"] == "Experiment"][0]
    assert experiment["spec"]["mirror"] == {"name": "readmission-v3", "percent": 100}
    assert [d["metadata"]["name"] for d in yaml.safe_load_all(text) if d and d["kind"] == "Model"] == [
        "readmission-v1",
        "readmission-v2",
        "readmission-v3",
    ]
    assert parse(text) == state and dump(parse(text)) == text


def test_a_new_shadow_replaces_the_old_and_a_canary_ends_it():
    state = shadow(shadow(EnvState({1: A}, {1: 100}, 1), 2, A, 10), 3, A, 50)
    assert (state.mirror, sorted(state.annotations)) == (3, [1, 3])
    canary = promote(state, 3, A, 10)
    assert (canary.weights, canary.mirror) == ({1: 90, 3: 10}, None)


def test_rollback_of_a_shadow_drops_the_mirror():
    assert rollback_target(shadow(EnvState({1: A}, {1: 100}, 1), 2, A, 10), []) == (1, 2)


@pytest.mark.slow
def test_cli_shadow_commits_the_mirror_and_passes_policy(repo, model, capsys, manifests_problems):
    first, second = gated(model), gated(model)
    main(["promote", "--env", "dev", "--version", str(first), "--repo", str(repo)])
    main(["promote", "--env", "dev", "--version", str(second), "--mirror", "20", "--repo", str(repo)])
    out, err = capsys.readouterr()
    assert f"# Shadow readmission v{second} in dev at 20% (mirror)" in out
    assert f"created branch promote/dev/v{second}-shadow-20" in err
    state = parse((repo / "environments/dev/models.yaml").read_text())
    assert (state.weights, state.mirror, state.mirror_percent) == ({first: 100}, second, 20)
    assert trailers(repo)["Model-Version"] == str(second)


def test_cli_refuses_mirror_with_weight(repo, model):
    with pytest.raises(InputError, match="--mirror excludes"):
        flow.promote("dev", gated(model), weight=10, mirror=10, repo=repo, trivy=False)
