"""Comparisons of how the arms answer: 5xx error rate and p99 latency (both roll back when they fail)."""

from __future__ import annotations

import pandas as pd

from readmit.monitoring.canary.verdict import FAIL, PASS, ROLLBACK, WAIT, Arms, Check
from readmit.monitoring.config import CanaryConfig
from readmit.monitoring.stats import p99, wilson


def arm_rows(frame: pd.DataFrame, version: int) -> pd.DataFrame:
    """The requests or scored rows of one arm (versions compared as text, as the log may hold either)."""
    return frame[frame["version"].astype(str) == str(version)]


def errors(req: pd.DataFrame, arms: Arms, c: CanaryConfig) -> Check:
    canary, default = arm_rows(req, arms.canary), arm_rows(req, arms.default)
    e1, n1 = int((canary["status"] >= 500).sum()), len(canary)
    e0, n0 = int((default["status"] >= 500).sum()), len(default)
    base = e0 / n0 if n0 else 0.0
    low, high = wilson(e1, n1)
    figures = {"canary_errors": e1, "canary_requests": n1, "default_errors": e0, "default_requests": n0}
    figures |= {"canary_rate_ci": [low, high], "default_rate": base}
    detail = f"canary {e1}/{n1} 5xx (95% CI {low:.1%}-{high:.1%}) vs default {e0}/{n0} ({base:.1%})"
    if low > base + c.error_margin:
        return Check("error rate", FAIL, ROLLBACK, detail, figures)
    if min(n0, n1) < c.min_requests:
        return Check(
            "error rate", WAIT, ROLLBACK, f"{detail}; need {c.min_requests} requests per arm", figures
        )
    status = PASS if e1 / n1 <= base + c.error_margin else FAIL
    return Check("error rate", status, ROLLBACK, detail, figures)


def latency(req: pd.DataFrame, arms: Arms, c: CanaryConfig) -> Check:
    ok = req[req["status"] < 500]
    canary, default = arm_rows(ok, arms.canary)["latency_ms"], arm_rows(ok, arms.default)["latency_ms"]
    q1, q0 = p99(canary), p99(default)
    limit = q0 * c.latency_ratio + c.latency_slack_ms
    figures = {"canary_p99_ms": q1, "default_p99_ms": q0, "limit_ms": limit}
    detail = f"p99 canary {q1:.1f} ms vs default {q0:.1f} ms (limit {limit:.1f} ms)"
    if min(len(canary), len(default)) < c.min_requests:
        return Check(
            "latency p99",
            WAIT,
            ROLLBACK,
            f"{detail}; need {c.min_requests} answered requests per arm",
            figures,
        )
    return Check("latency p99", PASS if q1 <= limit else FAIL, ROLLBACK, detail, figures)
