"""`readmit promote` and `readmit rollback`: an environment change as one reviewed commit on a new branch.

Nothing in the user's working tree or index is touched until everything is checked: the new models.yaml
is checked in a scratch copy of HEAD (manifests check + policy check) and the commit is built with
plumbing; only then is the branch created, checked out (and pushed). Any later failure switches back and
removes the branch, so the repository ends as it began.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from readmit import paths, registry
from readmit.atomic import write_text
from readmit.errors import CheckFailed, InputError
from readmit.gates import champion_version
from readmit.promote import git, message, pr, transitions
from readmit.promote.checks import check_in_scratch_copy
from readmit.promote.models_file import EnvState, dump, parse

ENVS = ("dev", "staging", "prod")


@dataclass(frozen=True)
class PromoteResult:
    env: str
    version: int
    previous: int | None
    branch: str
    commit: str
    pr_markdown: str
    pushed_to: str | None = None


@dataclass(frozen=True)
class Plan:
    """Everything decided before any git write."""

    env: str
    info: registry.VersionInfo
    before: EnvState
    after: EnvState
    title: str
    summary: str
    trailers: dict[str, str]
    branch: str


def annotations(info: registry.VersionInfo, env: str) -> dict[str, str]:
    return {
        "readmit.io/model-version": str(info.version),
        "readmit.io/mlflow-run": info.run_id,
        "readmit.io/model-digest": info.model_digest,
        "readmit.io/data-version": info.data_version,
        "readmit.io/metrics": message.metrics_text(info.metrics),
        "readmit.io/gate-result": info.gate_result(env) or "not-gated",
    }


def _trailers(
    info: registry.VersionInfo, env: str, previous: int | None, repo: Path, reason: str
) -> dict[str, str]:
    return {
        "Model-Version": str(info.version),
        "Model-Run": info.run_id,
        "Model-Digest": info.model_digest,
        "Data-Version": info.data_version,
        "Metrics": message.metrics_text(info.metrics),
        "Gates": f"{env}={info.gate_result(env) or 'not-gated'}",
        "Previous-Version": str(previous) if previous is not None else "none",
        "Promoted-By": git.identity(repo),
        "Reason": reason or "not given",
    }


def _check_env(env: str) -> None:
    if env not in ENVS:
        raise InputError(f"--env {env}: unknown environment; use one of {', '.join(ENVS)}")


def _read(repo: Path, env: str) -> tuple[str, git.Snapshot, EnvState]:
    _check_env(env)
    git.ensure_clean(repo)
    rel = f"environments/{env}/models.yaml"
    snap = git.Snapshot.take(repo, rel)
    if not (repo / rel).is_file():
        raise InputError(f"{repo / rel}: missing; the {env} overlay must have a models.yaml")
    return rel, snap, parse((repo / rel).read_text(), rel)


def promote(
    env: str,
    version: int,
    weight: int | None = None,
    full: bool = False,
    reason: str = "",
    repo: Path | None = None,
    branch: str | None = None,
    push: str | None = None,
    pr_out: Path | None = None,
    trivy: bool = True,
    mirror: int | None = None,
) -> PromoteResult:
    repo = Path(repo or paths.repo_root())
    _check_env(env)
    if full and weight is not None:
        raise InputError("--weight and --full exclude each other; choose one")
    if mirror is not None and (full or weight is not None):
        raise InputError("--mirror excludes --weight and --full: shadow first, then promote with --weight")
    info = registry.version_info(version)
    gate = info.gate_result(env)
    if gate != "passed":
        failures = info.tags.get(f"{registry.gate_tag(env)}.failures", "")
        raise CheckFailed(
            f"version {info.version} has not passed its {env} gates ({gate or 'never gated'}); "
            f"run `readmit gate --version {info.version} --env {env}`",
            [failures] if failures else [],
        )
    rel, snap, before = _read(repo, env)
    if mirror is not None:
        return _apply(
            repo,
            rel,
            snap,
            _shadow_plan(env, info, before, mirror, repo, reason, branch),
            push,
            pr_out,
            trivy,
        )
    after = transitions.promote(before, info.version, annotations(info, env), None if full else weight)
    share = f"{after.weights[info.version]}%"
    plan = Plan(
        env,
        info,
        before,
        after,
        f"Promote readmission v{info.version} to {env} at {share}",
        f"Version {info.version} takes {share} of {env} traffic"
        + (f"; version {before.default} stays as the rollback target." if len(after.weights) > 1 else "."),
        _trailers(info, env, before.default, repo, reason),
        branch or _branch(env, info.version, after),
    )
    return _apply(repo, rel, snap, plan, push, pr_out, trivy)


def _shadow_plan(env, info, before: EnvState, percent: int, repo: Path, reason: str, branch) -> Plan:
    """Shadow mode: the version mirrors `percent`% of the traffic; its answers reach no patient."""
    after = transitions.shadow(before, info.version, annotations(info, env), percent)
    return Plan(
        env,
        info,
        before,
        after,
        f"Shadow readmission v{info.version} in {env} at {percent}% (mirror)",
        f"Version {info.version} sees {percent}% of {env} requests as a mirror; its answers are logged and "
        f"never returned. Version {before.default} keeps answering.",
        _trailers(info, env, before.default, repo, reason),
        branch or f"promote/{env}/v{info.version}-shadow-{percent}",
    )


def _branch(env: str, version: int, after: EnvState) -> str:
    """promote/<env>/v<N>, or promote/<env>/v<N>-canary-<W>, so a later --full of the same version
    has a branch of its own."""
    weight = after.weights[version]
    return f"promote/{env}/v{version}" + ("" if weight == 100 else f"-canary-{weight}")


def rollback(
    env: str,
    reason: str = "",
    repo: Path | None = None,
    branch: str | None = None,
    push: str | None = None,
    pr_out: Path | None = None,
    trivy: bool = True,
) -> PromoteResult:
    from readmit.audit.gitlog import read_history
    from readmit.audit.timeline import changes

    repo = Path(repo or paths.repo_root())
    rel, snap, before = _read(repo, env)
    history = [ch.state for ch in changes(read_history(repo)) if ch.env == env and ch.state is not None]
    target, rolled_back = transitions.rollback_target(before, history)
    info = registry.version_info(target)
    after = EnvState({target: annotations(info, env)}, {target: 100}, target)
    trailers = {**_trailers(info, env, before.default, repo, reason), "Rollback-Of": str(rolled_back)}
    plan = Plan(
        env,
        info,
        before,
        after,
        f"Roll back {env} from readmission v{rolled_back} to v{target}",
        f"Version {rolled_back} leaves {env}; version {target} takes 100% of its traffic again.",
        trailers,
        branch or f"rollback/{env}/v{rolled_back}",
    )
    return _apply(repo, rel, snap, plan, push, pr_out, trivy)


def _apply(
    repo: Path, rel: str, snap: git.Snapshot, plan: Plan, push: str | None, pr_out: Path | None, trivy: bool
) -> PromoteResult:
    new_text = dump(plan.after)
    if new_text == (repo / rel).read_text():
        raise InputError(f"{rel}: already in the requested state; nothing to promote")
    rendered_before, rendered_after, checks = check_in_scratch_copy(repo, plan.env, rel, new_text, trivy)
    champion = champion_version(plan.env, repo)  # the same baseline `readmit gate` compared against
    champion_metrics = registry.version_info(champion).metrics if champion is not None else None
    gate_failures = plan.info.tags.get(f"{registry.gate_tag(plan.env)}.failures", "[]")
    markdown = pr.describe(
        title=plan.title,
        summary=plan.summary,
        trailers=plan.trailers,
        candidate_metrics=plan.info.metrics,
        champion_metrics=champion_metrics,
        champion_label=f"champion v{champion}" if champion is not None else f"no champion in {plan.env}",
        gates=[f"{plan.env}: {plan.info.gate_result(plan.env) or 'not gated'} (failures: {gate_failures})"],
        checks=checks,
        diff=pr.manifest_diff(rendered_before, rendered_after, plan.env),
    )
    commit_message = message.compose(plan.title, plan.summary, plan.trailers)
    snap.verify(repo)
    commit = git.build_commit(repo, snap, new_text, commit_message)
    original = git.current(repo)
    git.create_branch(repo, plan.branch, commit)
    pushed = False
    try:
        git.switch(repo, plan.branch)
        if push:
            git.push(repo, push, plan.branch)
            pushed = True
        if pr_out is not None:
            write_text(Path(pr_out), markdown)
    except BaseException:
        _undo(repo, original, plan.branch, commit, push if pushed else None)
        raise
    return PromoteResult(
        plan.env, plan.info.version, plan.before.default, plan.branch, commit, markdown, push
    )


def _undo(repo: Path, original: str, branch: str, commit: str, pushed_to: str | None) -> None:
    """Put the checkout, the branch and the remote back as they were before `_apply` wrote anything."""
    git.switch(repo, original)
    git.delete_branch(repo, branch, commit)
    if pushed_to:
        git.delete_remote_branch(repo, pushed_to, branch)
