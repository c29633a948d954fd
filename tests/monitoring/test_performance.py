"""Realised performance: per-window metrics with bootstrap intervals against the model card's figures."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from inference_logs import arm, traffic, write_log
from readmit.cli import main
from readmit.monitoring.performance import realised
from registry_versions import register, use_tmp_mlflow

CARD = {"roc_auc": 0.70, "auprc": 0.25, "ece": 0.02, "calibration_slope": 1.0, "calibration_intercept": 0.0}


def scored_weeks(
    weeks: int, per_week: int, informative_from: int = 0, seed: int = 0
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Scored stays over `weeks` weeks; outcomes follow the score in weeks >= informative_from, else noise."""
    rng = np.random.default_rng(seed)
    n = weeks * per_week
    risk = rng.beta(2, 10, n)
    week = np.repeat(np.arange(weeks), per_week)
    rows = pd.DataFrame(
        {
            "ts": pd.Timestamp("2026-11-02", tz="UTC")
            + pd.to_timedelta(week * 7 + rng.random(n) * 6, unit="D"),
            "encounter_key": [f"e{i}" for i in range(n)],
            "version": "3",
            "readmission_risk": risk,
        }
    )
    p = np.where(week >= informative_from, np.clip(risk * 1.3, 0, 1), 0.15)
    outcomes = pd.DataFrame(
        {"encounter_key": rows["encounter_key"], "label": (rng.random(n) < p).astype(int)}
    )
    return rows, outcomes


def test_a_week_whose_auc_interval_lies_below_the_card_is_flagged():
    rows, outcomes = scored_weeks(3, 800, informative_from=0)
    noise_rows, noise_outcomes = scored_weeks(1, 800, informative_from=5, seed=1)
    noise_rows["ts"] += pd.Timedelta(days=21)
    noise_rows["encounter_key"] = "n" + noise_rows["encounter_key"]
    noise_outcomes["encounter_key"] = "n" + noise_outcomes["encounter_key"]
    result = realised(
        pd.concat([rows, noise_rows]),
        pd.concat([outcomes, noise_outcomes]),
        {"roc_auc": 0.62},
        "week",
        rounds=100,
    )
    weeks = list(result["windows"].values())
    assert len(weeks) == 4
    assert [("roc_auc" in w["degraded"]) for w in weeks] == [False, False, False, True]
    last = weeks[-1]["metrics"]["roc_auc"]
    assert last["low"] <= last["value"] <= last["high"] < 0.62 and last["card"] == 0.62


def test_a_window_with_too_few_outcomes_is_insufficient_not_fine():
    rows, outcomes = scored_weeks(1, 60)
    result = realised(rows, outcomes, CARD, "week", rounds=50)
    (week,) = result["windows"].values()
    assert week["sufficient"] is False and week["degraded"] == [] and week["metrics"] == {}


def test_only_stays_with_an_outcome_are_judged():
    rows, outcomes = scored_weeks(2, 500)
    result = realised(rows, outcomes.head(600), CARD, "week", rounds=50)
    assert result["scored_with_outcome"] == 600 and result["scored"] == 1000


@pytest.mark.slow
def test_cli_writes_html_and_json_against_the_registered_card(tmp_path, monkeypatch, capsys):
    model = use_tmp_mlflow(monkeypatch, tmp_path)
    version = register(model, roc_auc=0.99)  # a card no realised week can reach
    requests, rows = traffic(arm(version, 1200))
    log = write_log(tmp_path / "log.jsonl", requests, rows)
    rng = np.random.default_rng(0)
    labels = (rng.random(len(rows)) < rows["readmission_risk"] * 1.5).astype(int)
    pd.DataFrame({"encounter_key": rows["encounter_key"], "label": labels}).to_csv(
        tmp_path / "o.csv", index=False
    )
    args = [
        "monitor",
        "performance",
        "--predictions",
        log,
        "--outcomes",
        tmp_path / "o.csv",
        "--out",
        tmp_path / "r",
    ]
    with pytest.raises(SystemExit) as exit_info:
        main([*map(str, args), "--window", "day", "--fail-on-degradation"])
    assert exit_info.value.code == 3
    doc = json.loads((tmp_path / "r" / "performance.json").read_text())
    assert doc["card"]["roc_auc"] == 0.99 and "roc_auc" in doc["degraded"]
    assert "data:image/png;base64," in (tmp_path / "r" / "performance.html").read_text()
    assert "DEGRADED on" in capsys.readouterr().out
