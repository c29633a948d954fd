"""`readmit canary analyze`: judge the env's canary from the inference log and, with --apply, carry the
verdict out as a reviewed commit (promote to the next ladder weight, or roll back) with a Canary-Analysis
trailer and the analysis in the PR description. A hold changes nothing.

The analysis folder always holds analysis.md and analysis.json (`decision`: advance, hold, rollback, or
`none` when `if_running` and no canary runs), plus applied.json (branch, commit, remote) when a verdict
was committed: what the Tekton task `canary-analyze` reads its results from."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from readmit import paths
from readmit.atomic import atomic_dir, write_text
from readmit.canary.experiment import NoCanary
from readmit.canary.experiment import arms as read_arms
from readmit.canary.record import NONE, write_analysis, write_applied
from readmit.monitoring import sources
from readmit.monitoring.canary import ADVANCE, ROLLBACK, Verdict, analyze, markdown, one_line
from readmit.monitoring.config import CANARY, CanaryConfig
from readmit.monitoring.htmlpage import histograms, page
from readmit.promote import PromoteResult, promote, rollback

TRAILER = "Canary-Analysis"


@dataclass(frozen=True)
class CanaryResult:
    verdict: Verdict | None  # None: no canary runs (only with if_running)
    markdown: str
    out: Path
    applied: PromoteResult | None = None


def run(
    env: str,
    log: Path | None = None,
    outcomes: Path | None = None,
    apply: bool = False,
    repo: Path | None = None,
    out: Path | None = None,
    config: CanaryConfig = CANARY,
    pr_out: Path | None = None,
    push: str | None = None,
    if_running: bool = False,
) -> CanaryResult:
    """`push`: the remote the verdict's branch goes to. `if_running`: when the env runs no canary, record
    that (decision `none`) instead of failing, as a scheduled run must."""
    repo = Path(repo or paths.repo_root())
    out = Path(out or paths.state_dir() / "canary" / env)
    try:
        arms = read_arms(repo, env)
    except NoCanary as exc:
        if not if_running:
            raise
        return _nothing_runs(env, str(exc), out)
    log = Path(log) if log else sources.default_log()
    requests, rows = sources.requests(log), sources.scored(log)
    verdict = analyze(arms, requests, rows, sources.outcomes(outcomes) if outcomes else None, config)
    text = markdown(verdict, env)
    scores = {
        f"{role} v{version}": rows.loc[
            rows["version"].astype(str) == str(version), "readmission_risk"
        ].tolist()
        for role, version in (("default", arms.default), ("canary", arms.canary))
    }
    with atomic_dir(out) as tmp:
        write_text(tmp / "analysis.md", text)
        write_text(
            tmp / "analysis.html",
            page(f"Canary analysis: {env}", text, [histograms(scores, "scores per arm")]),
        )
        write_analysis(tmp, verdict.as_dict())
    applied = _apply(env, verdict, text, repo, pr_out, push) if apply else None
    if applied is not None:
        write_applied(out, applied.branch, applied.commit, applied.pushed_to)
    return CanaryResult(verdict, text, out, applied)


def _nothing_runs(env: str, why: str, out: Path) -> CanaryResult:
    text = f"# Canary analysis: {env}\n\nNo canary runs: {why}\n"
    with atomic_dir(out) as tmp:
        write_text(tmp / "analysis.md", text)
        write_analysis(tmp, {"decision": NONE, "detail": why})
    return CanaryResult(None, text, out)


def _apply(
    env: str, verdict: Verdict, text: str, repo: Path, pr_out: Path | None, push: str | None
) -> PromoteResult | None:
    trailers = {TRAILER: one_line(verdict)}
    reason = f"canary analysis: {one_line(verdict)}"
    if verdict.decision == ROLLBACK:
        return rollback(
            env, reason=reason, repo=repo, push=push, pr_out=pr_out, trailers=trailers, notes=text
        )
    if verdict.decision == ADVANCE:
        full = verdict.next_weight == 100
        weight = None if full else verdict.next_weight
        return promote(
            env,
            verdict.arms.canary,
            weight=weight,
            full=full,
            reason=reason,
            repo=repo,
            push=push,
            pr_out=pr_out,
            trailers=trailers,
            notes=text,
        )
    return None
