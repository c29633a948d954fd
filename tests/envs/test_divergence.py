"""The rule `readmit registry sync` and the audit share: git's stable version against the env aliases."""

from __future__ import annotations

from readmit.envs.divergence import Divergence, divergence, live_versions
from readmit.envs.state import EnvState, dump


def test_divergence_is_a_pure_comparison_of_git_and_aliases():
    live = {"a": 2, "b": None, "c": 3}
    found = divergence(live, {"a": 2, "b": 1, "candidate": 3})
    assert found == [Divergence("b", None, 1), Divergence("c", 3, None)]


def test_live_versions_follow_order_yaml_not_the_folders(tmp_path):
    envs_dir = tmp_path / "environments"
    for env, version in (("prod", 1), ("dev", 2), ("old", 9)):
        (envs_dir / env).mkdir(parents=True)
        (envs_dir / env / "models.yaml").write_text(dump(EnvState({version: {}}, {version: 100}, version)))
    (envs_dir / "staging").mkdir()  # listed, but nothing committed yet: nothing live
    (envs_dir / "order.yaml").write_text("environments: [dev, staging, prod]\n")
    assert list(live_versions(tmp_path).items()) == [("dev", 2), ("staging", None), ("prod", 1)]
