"""Wire the audit together: history -> timeline and anomalies -> report file."""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from readmit import git
from readmit import registry as model_registry
from readmit.atomic import write_text
from readmit.audit import anomalies as an
from readmit.audit.anomalies import Anomaly
from readmit.audit.forcepush import force_pushes
from readmit.audit.historical_policies import POLICIES, policy_failures
from readmit.audit.report import RENDERERS
from readmit.envs import ALL, canary_limit, history, order
from readmit.envs.timeline import Segment, segments
from readmit.errors import InputError
from readmit.policy import engine


@dataclass(frozen=True)
class AuditResult:
    timeline: dict[str, list[Segment]]
    anomalies: list[Anomaly]
    text: str
    out: Path | None


@contextlib.contextmanager
def _cycle_collector_paused() -> Iterator[None]:
    """A long history is tens of thousands of objects that live until the report is written (commits,
    changes, rows) and form no reference cycles; the cycle collector's passes over them were a fifth of
    the audit's own CPU. Reference counting frees them either way; the collector resumes afterwards."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


@_cycle_collector_paused()
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
    """Timeline per environment (`env` None or `all`: every one) and anomalies; MLflow is imported only
    when `registry` asks for the comparison."""
    if fmt not in RENDERERS:
        raise InputError(f"--format {fmt}: unknown format; use one of {sorted(RENDERERS)}")
    cutoff = _parse_since(since)
    repo = Path(repo)
    env = None if env == ALL else env
    if not git.is_repo(repo):
        raise InputError(f"{repo}: not a git repository; audit a clone of the repository")
    envs_in_order = order.names_if_any(repo)
    with (
        _registry_reader(registry) as registry_now,
        engine.Engines(len(POLICIES) if policies else 0) as engines,
        ThreadPoolExecutor(max_workers=1) as pool,
    ):
        # Started first, in processes of their own (the second core): MLflow's import and store opening
        # for the registry comparison, and the policy engines' start-up. Reflogs and refs do not depend on
        # the history: read them while the history is parsed; then the anomalies while the timeline is
        # built.
        rewritten = pool.submit(force_pushes, repo)
        past = history.load(repo, rev)
        commits, all_changes = past.commits, past.changes
        anomalies = pool.submit(_anomalies, repo, all_changes, envs_in_order, registry_now, policies, engines)
        timeline = {
            e: [s for s in segs if _after(s.end, cutoff)]
            for e, segs in segments(all_changes, envs_in_order).items()
            if env in (None, e)
        }
        meta = {
            "repo": str(repo.resolve()),
            "rev": git.run(repo, "rev-parse", "--abbrev-ref", rev).strip() or rev,
            "head": git.run(repo, "rev-parse", rev).strip(),
            "commits": len(commits),
            "env": env or "all",
            "since": since or "",
        }
        # The report's timeline does not depend on the anomalies: it is rendered while they are found.
        report = RENDERERS[fmt]
        rendered_timeline = report.timeline(timeline, meta)
        found = anomalies.result() + rewritten.result()
    when = {c.sha: c.committed for c in commits}
    found = [
        a
        for a in found
        if env in (None, a.env, "") and (a.kind == "force-push" or _after(when.get(a.commit), cutoff))
    ]
    text = report.page(rendered_timeline, found, meta)
    if out is not None:
        write_text(Path(out), text)
    return AuditResult(timeline, found, text, out)


@contextlib.contextmanager
def _registry_reader(wanted: bool) -> Iterator[Future | None]:
    """The registry's versions and aliases, read from now on beside the history (registry.reader)."""
    if not wanted:
        yield None
        return
    with model_registry.reader() as reader:
        yield reader.submit(model_registry.snapshot)


def _anomalies(
    repo: Path,
    all_changes: list,
    envs_in_order: list[str],
    registry_now: Future | None,
    policies: bool,
    engines: engine.Engines,
):
    found = an.hand_edits(all_changes) + an.skipped_previous(all_changes, envs_in_order)
    if policies:
        found += policy_failures(all_changes, canary_limits(repo), envs_in_order, _evaluate(repo, engines))
    if registry_now is not None:
        versions, aliases = registry_now.result()
        found += an.registry_mismatches(all_changes, versions.get)
        found += an.alias_divergences(all_changes, aliases)
    return found


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
    """Each env's canary limit, as its values file sets it today (no render needed); an env without one
    is left out, which the policy reads as 0."""
    envs = [f.parent.name for f in sorted((repo / "environments").glob(f"*/{canary_limit.VALUES_FILE}"))]
    found = {e: canary_limit.from_values(repo, e) for e in envs}
    return {e: str(limit) for e, limit in found.items() if limit is not None}


def _evaluate(repo: Path, engines: engine.Engines):
    own = repo if (repo / "policies").is_dir() else None

    def evaluate(names: tuple[str, ...], documents: list[dict]) -> list[list[list[str]]]:
        return engines.evaluate_all([engine.get(name, own) for name in names], documents)

    return evaluate
