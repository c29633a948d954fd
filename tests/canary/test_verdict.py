"""The pure canary comparison: errors roll back, healthy traffic advances, too little traffic holds."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from inference_logs import arm, traffic
from readmit.monitoring.canary import (
    ADVANCE,
    HOLD,
    ROLLBACK,
    WAIT,
    Arms,
    analyze,
    markdown,
    next_weight,
    one_line,
)
from readmit.monitoring.config import CANARY

ARMS = Arms(default=3, canary=4, weight=10, limit=50)


def verdict(canary_kw=None, n_default=3000, n_canary=400, outcomes=None, arms=ARMS):
    requests, rows = traffic(arm(3, n_default), arm(4, n_canary, **(canary_kw or {})))
    return analyze(arms, requests, rows, outcomes, CANARY)


def test_a_canary_answering_5_percent_errors_is_rolled_back():
    result = verdict({"error_rate": 0.05})
    assert result.decision == ROLLBACK and result.next_weight is None
    assert next(c for c in result.checks if c.name == "error rate").status == "fail"


def test_a_healthy_canary_with_enough_traffic_advances_one_ladder_step():
    result = verdict()
    assert result.decision == ADVANCE and result.next_weight == 50
    assert all(c.status == "pass" for c in result.checks)


def test_too_little_traffic_holds_and_never_passes():
    result = verdict(n_canary=50)
    assert result.decision == HOLD
    assert {c.name for c in result.checks if c.status == WAIT} >= {
        "error rate",
        "latency p99",
        "score shift (PSI)",
    }


def test_a_few_requests_with_many_errors_already_roll_back():
    assert verdict({"error_rate": 0.5}, n_canary=40).decision == ROLLBACK


def test_slow_canary_rolls_back_and_shifted_scores_hold():
    assert verdict({"latency": 40.0}).decision == ROLLBACK
    shifted = verdict({"shift": 0.25})
    assert shifted.decision == HOLD
    assert {c.name for c in shifted.checks if c.status == "fail"} == {"score shift (PSI)", "risk-band mix"}


@pytest.mark.parametrize(
    ("current", "limit", "expected"),
    [(10, 50, 50), (50, 50, 100), (10, 20, 20), (20, 20, 100), (10, 10, 100), (5, 50, 10)],
)
def test_the_ladder_stops_at_the_canary_limit_then_goes_full(current, limit, expected):
    assert next_weight(current, limit, CANARY.ladder) == expected


def _outcomes(rows: pd.DataFrame, informative: dict[str, bool]) -> pd.DataFrame:
    rng = np.random.default_rng(7)
    good = rows["version"].map(informative).to_numpy()
    p = np.where(good, rows["readmission_risk"].to_numpy() * 2.5, 0.15)
    return pd.DataFrame(
        {
            "encounter_key": rows["encounter_key"],
            "label": (rng.random(len(rows)) < np.clip(p, 0, 1)).astype(int),
        }
    )


def test_realised_performance_rolls_back_a_canary_whose_scores_do_not_rank_outcomes():
    requests, rows = traffic(arm(3, 3000), arm(4, 1500))
    outcomes = _outcomes(rows, {"3": True, "4": False})
    result = analyze(ARMS, requests, rows, outcomes, CANARY)
    check = next(c for c in result.checks if c.name == "realised ROC-AUC")
    assert check.status == "fail" and result.decision == ROLLBACK
    healthy = analyze(ARMS, requests, rows, _outcomes(rows, {"3": True, "4": True}), CANARY)
    assert healthy.decision == ADVANCE


def test_too_few_outcomes_wait():
    requests, rows = traffic(arm(3, 3000), arm(4, 400))
    few = _outcomes(rows, {"3": True, "4": True}).head(50)
    result = analyze(ARMS, requests, rows, few, CANARY)
    assert result.decision == HOLD
    assert next(c for c in result.checks if c.name == "realised ROC-AUC").status == WAIT


def test_the_analysis_names_the_verdict_and_its_evidence():
    result = verdict({"error_rate": 0.05})
    text = markdown(result, "staging")
    assert "**roll back** v4" in text and "| error rate | fail | rollback |" in text
    assert one_line(result).startswith("rollback v4 (error rate")
