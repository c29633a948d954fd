"""The verdict: every comparison run, then roll back, hold or advance (see the package docstring)."""

from __future__ import annotations

import pandas as pd

from readmit.monitoring.canary.answers import arm_rows, errors, latency
from readmit.monitoring.canary.scores import performance, scores
from readmit.monitoring.canary.verdict import ADVANCE, FAIL, HOLD, ROLLBACK, WAIT, Arms, Verdict, next_weight
from readmit.monitoring.config import CanaryConfig
from readmit.monitoring.stats import p99


def _traffic(req: pd.DataFrame, arms: Arms) -> dict:
    out = {}
    for role, version in (("default", arms.default), ("canary", arms.canary), ("mirror", arms.mirror)):
        if version is None:
            continue
        arm = arm_rows(req, version)
        out[role] = {
            "version": version,
            "requests": int(len(arm)),
            "errors_5xx": int((arm["status"] >= 500).sum()),
            "rejected_4xx": int(((arm["status"] >= 400) & (arm["status"] < 500)).sum()),
            "p99_ms": p99(arm["latency_ms"]),
        }
    return out


def analyze(
    arms: Arms,
    requests: pd.DataFrame,
    rows: pd.DataFrame,
    outcomes: pd.DataFrame | None,
    config: CanaryConfig,
) -> Verdict:
    checks = [errors(requests, arms, config), latency(requests, arms, config), *scores(rows, arms, config)]
    if outcomes is not None:
        checks.append(performance(rows, outcomes, arms, config))
    if any(ch.status == FAIL and ch.on_fail == ROLLBACK for ch in checks):
        decision = ROLLBACK
    elif any(ch.status in (WAIT, FAIL) for ch in checks):
        decision = HOLD
    else:
        decision = ADVANCE
    step = next_weight(arms.weight, arms.limit, config.ladder) if decision == ADVANCE else None
    return Verdict(decision, arms.weight, step, arms, checks, _traffic(requests, arms))
