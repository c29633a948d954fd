"""The canary comparison (pure): the arms' logged requests and scored rows in, a verdict with evidence out.

Each comparison is a Check: pass, fail or wait (too little traffic or too few outcomes to judge: never a
pass). The verdict: roll back when a rollback-grade check fails (errors, latency, realised performance),
else hold while any check waits or a hold-grade check fails (score shift, risk-band mix), else advance
to the next step of the ladder.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

import numpy as np
import pandas as pd

from readmit.monitoring.config import CanaryConfig
from readmit.monitoring.stats import METRICS, p99, psi, wilson

ADVANCE, HOLD, ROLLBACK = "advance", "hold", "rollback"
PASS, FAIL, WAIT = "pass", "fail", "wait"


@dataclass(frozen=True)
class Arms:
    """The Experiment as git has it: stable default, canary at `weight`%, optional mirror (shadow)."""

    default: int
    canary: int
    weight: int
    limit: int
    mirror: int | None = None


@dataclass(frozen=True)
class Check:
    name: str
    status: str
    on_fail: str  # ROLLBACK or HOLD
    detail: str
    figures: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Verdict:
    decision: str
    weight: int
    next_weight: int | None
    arms: Arms
    checks: list[Check]
    traffic: dict

    def as_dict(self) -> dict:
        return asdict(self)


def next_weight(current: int, limit: int, ladder: tuple[int, ...]) -> int:
    """The next ladder step above `current` that the env's canary limit allows (the limit is a step)."""
    steps = sorted({s for s in ladder if s <= limit} | {min(limit, 100), 100})
    return next(s for s in steps if s > current) if current < 100 else 100


def _arm(frame: pd.DataFrame, version: int) -> pd.DataFrame:
    return frame[frame["version"].astype(str) == str(version)]


def _errors(req: pd.DataFrame, arms: Arms, c: CanaryConfig) -> Check:
    canary, default = _arm(req, arms.canary), _arm(req, arms.default)
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


def _latency(req: pd.DataFrame, arms: Arms, c: CanaryConfig) -> Check:
    ok = req[req["status"] < 500]
    canary, default = _arm(ok, arms.canary)["latency_ms"], _arm(ok, arms.default)["latency_ms"]
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


def _scores(rows: pd.DataFrame, arms: Arms, c: CanaryConfig) -> list[Check]:
    canary, default = _arm(rows, arms.canary), _arm(rows, arms.default)
    enough = min(len(canary), len(default)) >= c.min_scored_rows
    need = f"; need {c.min_scored_rows} scored stays per arm"
    shift = psi(default["readmission_risk"], canary["readmission_risk"]) if enough else float("nan")
    detail = f"PSI of canary scores against default {shift:.3f} (hold above {c.psi_hold})"
    checks = [
        Check(
            "score shift (PSI)",
            WAIT if not enough else PASS if shift <= c.psi_hold else FAIL,
            HOLD,
            detail + ("" if enough else need),
            {"psi": shift, "canary_rows": len(canary), "default_rows": len(default)},
        )
    ]
    bands = sorted(set(canary["risk_band"].dropna()) | set(default["risk_band"].dropna()))
    mix = {
        b: {
            "canary": float((canary["risk_band"] == b).mean()) if len(canary) else 0.0,
            "default": float((default["risk_band"] == b).mean()) if len(default) else 0.0,
        }
        for b in bands
    }
    gap = max((abs(v["canary"] - v["default"]) for v in mix.values()), default=0.0)
    text = ", ".join(f"{b} {v['canary']:.0%} vs {v['default']:.0%}" for b, v in mix.items())
    status = WAIT if not enough else PASS if gap <= c.band_share_hold else FAIL
    checks.append(
        Check(
            "risk-band mix",
            status,
            HOLD,
            f"{text}; largest gap {gap:.0%}" + ("" if enough else need),
            {"mix": mix, "largest_gap": gap},
        )
    )
    return checks


def _performance(rows: pd.DataFrame, outcomes: pd.DataFrame, arms: Arms, c: CanaryConfig) -> Check:
    joined = rows.merge(outcomes, on="encounter_key", how="inner")
    canary, default = _arm(joined, arms.canary), _arm(joined, arms.default)
    counts = {
        name: (int(f["label"].sum()), int((f["label"] == 0).sum()))
        for name, f in (("canary", canary), ("default", default))
    }
    figures = {"outcomes": counts}
    if min(min(v) for v in counts.values()) < c.min_outcomes_per_class:
        return Check(
            "realised ROC-AUC",
            WAIT,
            ROLLBACK,
            f"outcomes (readmitted, not) canary {counts['canary']}, default {counts['default']}; "
            f"need {c.min_outcomes_per_class} of each per arm",
            figures,
        )
    auc = METRICS["roc_auc"]
    a1, a0 = (
        auc(canary["label"].to_numpy(), canary["readmission_risk"].to_numpy()),
        auc(default["label"].to_numpy(), default["readmission_risk"].to_numpy()),
    )
    rng = np.random.default_rng(c.seed)
    diffs = []
    for _ in range(c.bootstrap_rounds):
        i1, i0 = rng.integers(0, len(canary), len(canary)), rng.integers(0, len(default), len(default))
        y1, y0 = canary["label"].to_numpy()[i1], default["label"].to_numpy()[i0]
        if 0 < y1.sum() < len(y1) and 0 < y0.sum() < len(y0):
            diffs.append(
                auc(y1, canary["readmission_risk"].to_numpy()[i1])
                - auc(y0, default["readmission_risk"].to_numpy()[i0])
            )
    low, high = np.percentile(diffs, [2.5, 97.5]) if diffs else (np.nan, np.nan)
    figures |= {"canary_auc": a1, "default_auc": a0, "difference_ci": [float(low), float(high)]}
    detail = f"ROC-AUC canary {a1:.3f} vs default {a0:.3f}; difference 95% CI {low:+.3f} to {high:+.3f}"
    return Check("realised ROC-AUC", FAIL if high < -c.auc_margin else PASS, ROLLBACK, detail, figures)


def _traffic(req: pd.DataFrame, arms: Arms) -> dict:
    out = {}
    for role, version in (("default", arms.default), ("canary", arms.canary), ("mirror", arms.mirror)):
        if version is None:
            continue
        arm = _arm(req, version)
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
    checks = [_errors(requests, arms, config), _latency(requests, arms, config), *_scores(rows, arms, config)]
    if outcomes is not None:
        checks.append(_performance(rows, outcomes, arms, config))
    if any(ch.status == FAIL and ch.on_fail == ROLLBACK for ch in checks):
        decision = ROLLBACK
    elif any(ch.status in (WAIT, FAIL) for ch in checks):
        decision = HOLD
    else:
        decision = ADVANCE
    step = next_weight(arms.weight, arms.limit, config.ladder) if decision == ADVANCE else None
    return Verdict(decision, arms.weight, step, arms, checks, _traffic(requests, arms))


def markdown(verdict: Verdict, env: str) -> str:
    a = verdict.arms
    head = {
        ADVANCE: f"**advance** v{a.canary} from {verdict.weight}% to {verdict.next_weight}%",
        HOLD: f"**hold** v{a.canary} at {verdict.weight}%",
        ROLLBACK: f"**roll back** v{a.canary}; v{a.default} takes all traffic",
    }[verdict.decision]
    lines = [
        f"# Canary analysis: {env}",
        "",
        f"Verdict: {head} (canary limit {a.limit}%).",
        "",
        "| check | result | on failure | evidence |",
        "|---|---|---|---|",
    ]
    lines += [f"| {ch.name} | {ch.status} | {ch.on_fail} | {ch.detail} |" for ch in verdict.checks]
    lines += ["", "| arm | version | requests | 5xx | 4xx rejected | p99 ms |", "|---|---|---|---|---|---|"]
    lines += [
        f"| {role} | v{t['version']} | {t['requests']} | {t['errors_5xx']} | {t['rejected_4xx']} "
        f"| {t['p99_ms']:.1f} |"
        for role, t in verdict.traffic.items()
    ]
    return "\n".join(lines) + "\n"


def one_line(verdict: Verdict) -> str:
    """The Canary-Analysis trailer value."""
    failing = [ch.name for ch in verdict.checks if ch.status != PASS]
    step = f" {verdict.weight}->{verdict.next_weight}" if verdict.decision == ADVANCE else ""
    return f"{verdict.decision}{step} v{verdict.arms.canary}" + (
        f" ({'; '.join(failing)})" if failing else ""
    )
