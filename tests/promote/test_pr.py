"""The pull-request description's metrics: gated metrics first, counts as integers, the rest folded."""

from __future__ import annotations

from readmit.gates import GATED_METRICS
from readmit.promote.pr import metrics_table

CANDIDATE = {
    "test_roc_auc": 0.70,
    "test_auprc": 0.22,
    "test_subgroup_attributes_compared": 3.0,
    "test_n": 1200.0,
    "test_precision": 0.31,
    "val_roc_auc": 0.71,  # not a test metric: never shown
}
CHAMPION = {"test_roc_auc": 0.66, "test_subgroup_attributes_compared": 2.0, "test_n": 1000.0}


def test_gated_metrics_come_first_in_the_reviewers_order_and_the_rest_is_folded():
    rows = metrics_table(CANDIDATE, CHAMPION, "champion v1")
    names = [r.split(" | ")[0].removeprefix("| ") for r in rows if r.startswith("| ") and "metric" not in r]
    fold = rows.index(next(r for r in rows if r.startswith("<details>")))
    gated = [n for n in names[: len([n for n in names if n in GATED_METRICS])]]
    assert gated == [n for n in GATED_METRICS if f"test_{n}" in CANDIDATE]
    assert all(not r.startswith("| roc_auc") for r in rows[fold:])
    assert rows[fold] == "<details><summary>Other metrics (2, not gated)</summary>"
    assert rows[-1] == "</details>"
    assert "val_roc_auc" not in "\n".join(rows)


def test_counts_are_integers_and_rates_keep_four_decimals():
    rows = metrics_table(CANDIDATE, CHAMPION, "champion v1")
    assert "| subgroup_attributes_compared | 3 | 2 | +1 |" in rows
    assert "| n | 1200 | 1000 | +200 |" in rows
    assert "| roc_auc | 0.7000 | 0.6600 | +0.0400 |" in rows
    assert "| precision | 0.3100 | - | - |" in rows


def test_without_other_metrics_there_is_no_fold():
    rows = metrics_table({"test_roc_auc": 0.7}, None, "no champion in dev")
    assert rows == [
        "| metric | candidate | no champion in dev | delta |",
        "|---|---|---|---|",
        "| roc_auc | 0.7000 | - | - |",
    ]
