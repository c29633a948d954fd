"""The verdict for people: the Markdown analysis (PR text, analysis.md) and the Canary-Analysis trailer."""

from __future__ import annotations

from readmit.monitoring.canary.verdict import ADVANCE, HOLD, PASS, ROLLBACK, Verdict


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
