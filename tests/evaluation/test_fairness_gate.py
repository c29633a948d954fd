"""The model-gates policy judges the subgroup gap by its interval: fail above, warn when straddling."""

import pytest

from readmit.policy import engine

BASE = {
    "roc_auc": 0.69,
    "auprc": 0.24,
    "brier": 0.095,
    "ece": 0.012,
    "calibration_slope": 1.0,
    "subgroup_attributes_compared": 3,
}


def _document(low, point, high, env="staging"):
    metrics = BASE | {
        "subgroup_auc_gap": point,
        "subgroup_auc_gap_ci_low": low,
        "subgroup_auc_gap_ci_high": high,
    }
    return {"objects": [], "context": {}, "gate": {"env": env, "metrics": metrics, "champion": None}}


@pytest.fixture(scope="module")
def judged():
    policy = engine.get("model-gates")
    cases = {
        "above": _document(0.13, 0.17, 0.22),
        "straddles": _document(0.09, 0.17, 0.24),
        "below": _document(0.03, 0.06, 0.11),
    }
    docs = list(cases.values())
    deny = engine.evaluate_many(policy, docs)
    warn = engine.evaluate_many(policy, docs, rule="warn")  # conftest's advisory set, shown by `readmit gate`
    return {name: (d, w) for name, d, w in zip(cases, deny, warn, strict=True)}


def test_a_gap_whose_interval_lies_above_the_ceiling_fails(judged):
    deny, warn = judged["above"]
    assert deny and "lies above the staging ceiling 0.12" in deny[0] and not warn


def test_a_gap_whose_interval_straddles_the_ceiling_passes_with_a_warning(judged):
    deny, warn = judged["straddles"]
    assert deny == [] and warn and "straddles the staging ceiling 0.12" in warn[0]


def test_a_gap_whose_interval_lies_below_the_ceiling_passes_quietly(judged):
    assert judged["below"] == ([], [])
