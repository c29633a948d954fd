"""`readmit canary analyze`: judge the env's canary from the inference log and, with --apply, carry the
verdict out as a reviewed commit (promote to the next ladder weight, or roll back) with a Canary-Analysis
trailer and the analysis in the PR description. A hold changes nothing."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from readmit import paths
from readmit.atomic import atomic_dir, write_text
from readmit.canary.experiment import arms as read_arms
from readmit.monitoring import sources
from readmit.monitoring.canary import ADVANCE, ROLLBACK, Verdict, analyze, markdown, one_line
from readmit.monitoring.config import CANARY, CanaryConfig
from readmit.monitoring.htmlpage import histograms, page
from readmit.promote import PromoteResult, promote, rollback

TRAILER = "Canary-Analysis"


@dataclass(frozen=True)
class CanaryResult:
    verdict: Verdict
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
) -> CanaryResult:
    repo = Path(repo or paths.repo_root())
    arms = read_arms(repo, env)
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
    out = Path(out or paths.state_dir() / "canary" / env)
    with atomic_dir(out) as tmp:
        write_text(tmp / "analysis.md", text)
        write_text(
            tmp / "analysis.html",
            page(f"Canary analysis: {env}", text, [histograms(scores, "scores per arm")]),
        )
        write_text(
            tmp / "analysis.json", json.dumps(verdict.as_dict(), indent=2, sort_keys=True, default=str) + "\n"
        )
    applied = _apply(env, verdict, text, repo, pr_out) if apply else None
    return CanaryResult(verdict, text, out, applied)


def _apply(env: str, verdict: Verdict, text: str, repo: Path, pr_out: Path | None) -> PromoteResult | None:
    trailers = {TRAILER: one_line(verdict)}
    reason = f"canary analysis: {one_line(verdict)}"
    if verdict.decision == ROLLBACK:
        return rollback(env, reason=reason, repo=repo, pr_out=pr_out, trailers=trailers, notes=text)
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
            pr_out=pr_out,
            trailers=trailers,
            notes=text,
        )
    return None
