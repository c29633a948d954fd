"""The PrometheusRule and ServiceMonitor use the metric names and port that the runtime really serves."""

from __future__ import annotations

import re

import yaml

from readmit.serving import metrics
from readmit.serving.contract import BANDS


def test_rule_names_only_metrics_the_runtime_registers(repo_root):
    text = (repo_root / "apps" / "readmission" / "prometheusrule.yaml").read_text()
    rule = yaml.safe_load(text)
    # The serving group only: the model-quality group reads the drift monitor's textfile metrics, which
    # tests/monitoring/test_textfile.py holds to what readmit.monitoring.textfile writes.
    serving = next(g for g in rule["spec"]["groups"] if g["name"] == "readmission.serving")
    text = "\n".join(r["expr"] for r in serving["rules"])
    served = {metrics.RISK} | {metrics.band_metric(b) for b in BANDS}
    served |= {metrics.rejection_metric(r) for r in metrics.REJECTION_REASONS}
    counters = {f"{metrics.BODY_REFUSALS}_total"}  # prometheus_client serves a Counter as <name>_total
    used = set(re.findall(r"\breadmit_[a-z_]+", text))
    assert used, "the rule uses none of the runtime's metrics"
    for name in used:
        base = re.sub(r"_(count|sum|bucket)$", "", name)
        assert base in served or name in counters or name == "readmit_rejections_", name
    assert "readmit_rejections_.+_count" in text
    assert counters <= used, "no alert on the body guard's refusals"


def test_service_monitor_scrapes_mlservers_metrics_port(repo_root):
    app = repo_root / "apps" / "readmission"
    service = yaml.safe_load((app / "metrics-service.yaml").read_text())
    monitor = yaml.safe_load((app / "servicemonitor.yaml").read_text())
    ports = {p["name"]: p["port"] for p in service["spec"]["ports"]}
    assert ports["server-metrics"] == 8082  # MLServer's metrics_port default, Seldon's ServerConfig too
    assert {e["port"] for e in monitor["spec"]["endpoints"]} == set(ports)
