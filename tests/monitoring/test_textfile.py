"""The Prometheus textfile parses, and every readmit_ metric an alert reads is one the textfile writes."""

from __future__ import annotations

import re

import yaml
from prometheus_client.parser import text_string_to_metric_families

from readmit.monitoring.textfile import render

SUMMARY = {
    "share_drifted_features": 0.08,
    "dataset_drift": True,
    "features": {
        "age": {"method": "jensenshannon", "statistic": 0.43, "threshold": 0.1, "drifted": True},
        'odd"name': {
            "method": "Jensen-Shannon distance",
            "statistic": 0.01,
            "threshold": 0.1,
            "drifted": False,
        },
    },
    "prediction": {"method": "psi", "statistic": 0.31, "threshold": 0.2, "drifted": True},
    "samples": {"reference": {"sampled": 5000}, "current": {"sampled": 1200}},
}


def families(text: str) -> dict:
    return {f.name: f for f in text_string_to_metric_families(text)}


def test_the_textfile_parses_with_escaped_labels():
    parsed = families(render(SUMMARY, "readmission", "3", 1_764_500_000.0))
    assert parsed["readmit_prediction_psi"].samples[0].value == 0.31
    labels = {s.labels["feature"] for s in parsed["readmit_feature_drift_statistic"].samples}
    assert labels == {"age", 'odd"name'}
    assert {s.labels["side"]: s.value for s in parsed["readmit_drift_sample_rows"].samples} == {
        "reference": 5000.0,
        "current": 1200.0,
    }


def test_drift_alerts_read_only_metrics_the_textfile_writes(repo_root):
    written = set(families(render(SUMMARY, "readmission", "3", 0.0)))
    rule = yaml.safe_load((repo_root / "apps/readmission/prometheusrule.yaml").read_text())
    quality = next(g for g in rule["spec"]["groups"] if g["name"] == "readmission.model-quality")
    read = {name for r in quality["rules"] for name in re.findall(r"\breadmit_[a-z_]+", r["expr"])}
    assert read and read <= written, read - written
