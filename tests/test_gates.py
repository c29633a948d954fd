"""`readmit gate`: a real registered version against the model-gates policy, recorded as version tags."""

from __future__ import annotations

import json
import re

import pytest

from readmit import gates, registry
from readmit.cli import main
from readmit.errors import InputError
from registry_versions import register, use_tmp_mlflow


@pytest.fixture
def store(monkeypatch, tmp_path):
    model = use_tmp_mlflow(monkeypatch, tmp_path)
    # The repo's environments/ have no live version; only the alias names a champion here.
    monkeypatch.setattr(gates, "champion_version", _alias_only)
    return model


def _alias_only(env, repo=None):
    return registry.alias_version(f"champion-{env}")


def test_a_good_version_passes_and_is_tagged_passed(store):
    version = register(store)
    result = gates.gate(version, "prod")
    assert result.passed and result.champion is None
    tags = registry.version_info(version).tags
    assert tags["gate.prod"] == "passed"
    assert json.loads(tags["gate.prod.failures"]) == []


def test_every_failed_gate_is_listed_and_recorded(store):
    version = register(store, roc_auc=0.58, ece=0.09)
    result = gates.gate(version, "prod")
    assert not result.passed
    assert any("roc_auc 0.5800 is below the prod floor" in f for f in result.failures)
    assert any("ece 0.0900 is above the prod ceiling" in f for f in result.failures)
    tags = registry.version_info(version).tags
    assert tags["gate.prod"] == "failed"
    assert json.loads(tags["gate.prod.failures"]) == result.failures


def test_same_metrics_pass_dev_but_fail_prod(store):
    version = register(store, roc_auc=0.60)
    assert gates.gate(version, "dev").passed
    assert not gates.gate(version, "prod").passed
    tags = registry.version_info(version).tags
    assert (tags["gate.dev"], tags["gate.prod"]) == ("passed", "failed")


def test_regression_against_the_env_champion_fails(store):
    champion = register(store, roc_auc=0.72)
    registry.set_alias("champion-prod", champion)
    version = register(store, roc_auc=0.69)
    result = gates.gate(version, "prod")
    assert result.champion == champion
    assert result.failures == [f"roc_auc 0.6900 regresses more than 0.01 below champion v{champion} (0.7200)"]


def test_cli_exits_1_listing_failures(store, capsys):
    version = register(store, auprc=0.05)
    with pytest.raises(SystemExit) as exit_info:
        main(["gate", "--version", str(version), "--env", "staging"])
    assert exit_info.value.code == 1
    assert "model-gates: auprc 0.0500 is below the staging floor" in capsys.readouterr().err


def test_unknown_version_is_an_input_error(store):
    register(store)
    with pytest.raises(InputError, match="version 99 not found"):
        gates.gate(99, "dev")


def test_the_gated_metrics_are_the_ones_the_model_gates_policy_judges(repo_root):
    rego = (repo_root / "policies/model-gates/policy.rego").read_text()
    tables = re.findall(r"^(?:floors|ceilings) := \{(.*?)^\}", rego, flags=re.S | re.M)
    judged = {name for table in tables for name in re.findall(r'"([a-z_]+)": [\d.]', table)}
    judged |= set(re.findall(r"input\.gate\.metrics\.([a-z_]+)", rego))
    judged |= set(re.findall(r'input\.gate\.metrics, "([a-z_]+)"', rego))
    assert set(gates.GATED_METRICS) == judged


def test_only_the_held_out_test_metrics_are_gated_without_their_prefix():
    metrics = {"test_roc_auc": 0.7, "val_roc_auc": 0.9, "roc_auc": 0.5, "test_n": 120.0, "my_test_x": 1.0}
    assert gates.gate_metrics(metrics) == {"roc_auc": 0.7, "n": 120.0}


def test_the_policy_input_names_the_env_the_metrics_and_the_champion():
    document = gates.gate_input("prod", {"test_roc_auc": 0.7}, 3, {"test_roc_auc": 0.72, "train_loss": 0.1})
    assert document == {
        "objects": [],
        "context": {},
        "gate": {
            "env": "prod",
            "metrics": {"roc_auc": 0.7},
            "champion": {"version": 3, "metrics": {"roc_auc": 0.72}},
        },
    }


def test_without_a_champion_the_policy_input_has_none_and_a_champion_without_metrics_has_empty_ones():
    alone = gates.gate_input("dev", {"test_ece": 0.02}, None, None)
    assert alone["gate"] == {"env": "dev", "metrics": {"ece": 0.02}, "champion": None}
    bare = gates.gate_input("dev", {}, 2, None)
    assert bare["gate"]["champion"] == {"version": 2, "metrics": {}}
