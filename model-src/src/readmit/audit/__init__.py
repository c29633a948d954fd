"""`readmit audit`: the history of environments/ as the report an auditor reads."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from readmit.audit.anomalies import Anomaly
from readmit.audit.timeline import Segment


@dataclass(frozen=True)
class AuditResult:
    timeline: dict[str, list[Segment]]
    anomalies: list[Anomaly]
    text: str
    out: Path | None


def audit(
    repo: Path,
    env: str | None = None,
    since: str | None = None,
    fmt: str = "html",
    out: Path | None = None,
    registry: bool = True,
    policies: bool = True,
    rev: str = "HEAD",
) -> AuditResult:
    from readmit.audit.run import run

    return run(repo, env=env, since=since, fmt=fmt, out=out, registry=registry, policies=policies, rev=rev)
