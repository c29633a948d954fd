"""The drift alerts fire exactly where `readmit drift` flags: each threshold is read from its one home
(the PrometheusRule's expression, the DriftConfig) and the two are compared on every drifted-feature
count a run can produce."""

from __future__ import annotations

import operator
import re

import pytest
import yaml

from readmit.monitoring.config import DEFAULT
from readmit.monitoring.drift import dataset_drift
from readmit.monitoring.view import FEATURES

COMPARISONS = {">=": operator.ge, ">": operator.gt, "==": operator.eq, "<": operator.lt, "<=": operator.le}


def _alert(repo_root, name: str) -> tuple[str, callable, float]:
    """(metric, comparison, threshold) of the alert `name`: `max by (...) (<metric>) <op> <number>`."""
    rule = yaml.safe_load((repo_root / "apps/readmission/prometheusrule.yaml").read_text())
    (expr,) = [r["expr"] for g in rule["spec"]["groups"] for r in g["rules"] if r.get("alert") == name]
    found = re.fullmatch(r"max by \([a-z, ]+\) \((readmit_[a-z_]+)\) (>=|>|==|<=|<) ([0-9.]+)", expr.strip())
    assert found, f"{name}: expression {expr!r} is not `max by (...) (metric) <op> <number>`"
    metric, op, value = found.groups()
    return metric, COMPARISONS[op], float(value)


@pytest.mark.parametrize("n_features", sorted({20, 25, len(FEATURES), 31}))
def test_the_feature_drift_alert_fires_exactly_when_readmit_drift_flags(repo_root, n_features):
    metric, fires, threshold = _alert(repo_root, "ReadmissionFeatureDrift")
    assert metric == "readmit_drift_score"  # textfile.py: the share of drifted features
    assert threshold == DEFAULT.drift_share
    for n_drifted in range(n_features + 1):
        share = n_drifted / n_features
        assert fires(share, threshold) == dataset_drift(n_drifted, n_features, DEFAULT), (
            f"{n_drifted} of {n_features} drifted: alert and flag disagree"
        )


def test_two_drifted_features_of_the_monitored_set_alert_and_one_does_not(repo_root):
    _, fires, threshold = _alert(repo_root, "ReadmissionFeatureDrift")
    n = len(FEATURES)
    assert not fires(1 / n, threshold) and fires(2 / n, threshold)


def test_the_prediction_shift_alert_uses_the_prediction_drift_threshold(repo_root):
    metric, fires, threshold = _alert(repo_root, "ReadmissionPredictionShift")
    assert DEFAULT.prediction_method == "psi" and metric == "readmit_prediction_psi"
    assert threshold == DEFAULT.prediction_threshold
    # Evidently's PSI test: drift when psi >= threshold (evidently/legacy/calculations/stattests/psi.py).
    assert fires(threshold, threshold) and not fires(threshold - 1e-9, threshold)
