"""Wire the audit together: history -> timeline and anomalies -> report file."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

from readmit.atomic import write_text
from readmit.audit import AuditResult
from readmit.audit import anomalies as an
from readmit.audit.forcepush import force_pushes
from readmit.audit.gitlog import git, read_history
from readmit.audit.historical_policies import policy_failures
from readmit.audit.report import RENDERERS
from readmit.audit.timeline import changes, segments
from readmit.errors import InputError

_LIMIT = re.compile(r"readmit\.io/canary-max-weight:\s*[\"']?(\d+)")


def run(
    repo: Path,
    env: str | None,
    since: str | None,
    fmt: str,
    out: Path | None,
    registry: bool,
    policies: bool,
    rev: str,
) -> AuditResult:
    if fmt not in RENDERERS:
        raise InputError(f"--format {fmt}: unknown format; use one of {sorted(RENDERERS)}")
    cutoff = _parse_since(since)
    repo = Path(repo)
    commits = read_history(repo, rev)
    all_changes = changes(commits)
    found = an.hand_edits(all_changes) + an.skipped_staging(all_changes)
    if registry:
        found += an.registry_mismatches(all_changes, _registry_lookup())
    if policies:
        found += policy_failures(all_changes, canary_limits(repo), _evaluate(repo))
    found += force_pushes(repo)
    when = {c.sha: c.committed for c in commits}
    timeline = {
        e: [s for s in segs if _after(s.end, cutoff)]
        for e, segs in segments(all_changes).items()
        if env in (None, e)
    }
    found = [
        a
        for a in found
        if env in (None, a.env, "") and (a.kind == "force-push" or _after(when.get(a.commit), cutoff))
    ]
    meta = {
        "repo": str(repo.resolve()),
        "rev": git(repo, "rev-parse", "--abbrev-ref", rev).strip() or rev,
        "head": git(repo, "rev-parse", rev).strip(),
        "commits": len(commits),
        "env": env or "all",
        "since": since or "",
    }
    text = RENDERERS[fmt](timeline, found, meta)
    if out is not None:
        write_text(Path(out), text)
    return AuditResult(timeline, found, text, out)


def _parse_since(since: str | None) -> datetime | None:
    if not since:
        return None
    try:
        value = datetime.fromisoformat(since)
    except ValueError as exc:
        raise InputError(f"--since {since}: not a date; use YYYY-MM-DD or an ISO timestamp") from exc
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _after(stamp: str | None, cutoff: datetime | None) -> bool:
    return cutoff is None or stamp is None or datetime.fromisoformat(stamp) >= cutoff


def canary_limits(repo: Path) -> dict[str, str]:
    """Each env's canary limit, read from the patch in its kustomization.yaml (no render needed)."""
    out = {}
    for kfile in sorted((repo / "environments").glob("*/kustomization.yaml")):
        if m := _LIMIT.search(kfile.read_text()):
            out[kfile.parent.name] = m.group(1)
    return out


def _registry_lookup():
    from readmit import registry

    return registry.all_versions().get


def _evaluate(repo: Path):
    from readmit.policy import engine

    own = repo if (repo / "policies").is_dir() else None

    def evaluate(name: str, documents: list[dict]) -> list[list[str]]:
        return engine.evaluate_many(engine.get(name, own), documents)

    return evaluate
