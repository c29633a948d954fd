"""`readmit promote` and `readmit rollback`: an environment change as one reviewed commit on a new branch.

Nothing in the user's working tree or index is touched until everything is checked: the new models.yaml
is checked in a scratch copy of HEAD (manifests check + policy check) and the commit is built with
plumbing; only then is the branch created, checked out (and pushed). Any later failure switches back and
removes the branch, so the repository ends as it began.
"""

from __future__ import annotations

import contextlib
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from readmit import envs, gates, git, paths, registry
from readmit.atomic import write_text
from readmit.envs import history, provenance
from readmit.envs.state import EnvState, dump, models_path, parse
from readmit.envs.state import read as read_live
from readmit.errors import CheckFailed, InputError
from readmit.promote import message, pr, transitions
from readmit.promote.checks import ScratchCopy, check_in_scratch_copy


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
    notes: str = ""  # extra Markdown for the PR description (e.g. a canary analysis)


def _provenance(info: registry.VersionInfo, env: str) -> dict[str, str]:
    return {
        "version": str(info.version),
        "run_id": info.run_id,
        "model_digest": info.model_digest,
        "data_version": info.data_version,
        "metrics": message.metrics_text(info.metrics),
        "gates": info.gate_result(env) or "not-gated",
    }


def annotations(info: registry.VersionInfo, env: str) -> dict[str, str]:
    return provenance.annotations(_provenance(info, env))


def _trailers(
    info: registry.VersionInfo, env: str, previous: int | None, repo: Path, reason: str
) -> dict[str, str]:
    values = _provenance(info, env)
    return {
        **provenance.trailers({**values, "gates": f"{env}={values['gates']}"}),
        provenance.PREVIOUS_VERSION: str(previous) if previous is not None else "none",
        provenance.PROMOTED_BY: git.identity(repo),
        provenance.REASON: reason or "not given",
    }


def _read(repo: Path, env: str) -> tuple[str, git.Snapshot, EnvState]:
    envs.require(env, repo)
    git.ensure_clean(repo)
    rel = models_path(env)
    snap = git.Snapshot.take(repo, rel)
    if not (repo / rel).is_file():
        raise InputError(f"{repo / rel}: missing; the {env} overlay must have a {Path(rel).name}")
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
    trailers: dict[str, str] | None = None,
    notes: str = "",
    mirror: int | None = None,
) -> PromoteResult:
    """`trailers` are added to the commit's provenance trailers; `notes` is appended to the PR text."""
    repo = Path(repo or paths.repo_root())
    envs.require(env, repo)
    if full and weight is not None:
        raise InputError("--weight and --full exclude each other; choose one")
    if mirror is not None and (full or weight is not None):
        raise InputError("--mirror excludes --weight and --full: shadow first, then promote with --weight")

    def change(before: EnvState, notes: dict[str, str]) -> EnvState:
        if mirror is not None:
            return transitions.shadow(before, int(version), notes, mirror)
        return transitions.promote(before, int(version), notes, None if full else weight)

    with ScratchCopy(repo, env) as scratch:
        facts, (rel, snap, before), ran_full = _read_everything(
            repo, env, version, scratch, change if trivy else None
        )
        info = facts.versions[int(version)]
        _require_gates(info, env)
        after = change(before, annotations(info, env))
        if mirror is not None:
            plan = _shadow_plan(env, info, before, after, repo, reason, branch)
            return _apply(repo, rel, snap, plan, ran_full, push, pr_out, trivy, facts, scratch)
        share = f"{after.weights[info.version]}%"
        keeps = f"; version {before.default} stays as the rollback target." if len(after.weights) > 1 else "."
        plan = Plan(
            env,
            info,
            before,
            after,
            f"Promote readmission v{info.version} to {env} at {share}",
            f"Version {info.version} takes {share} of {env} traffic{keeps}",
            _trailers(info, env, before.default, repo, reason) | (trailers or {}),
            branch or _branch(env, info.version, after),
            notes,
        )
        return _apply(repo, rel, snap, plan, ran_full, push, pr_out, trivy, facts, scratch)


def _read_everything(repo: Path, env: str, version: int, scratch: ScratchCopy, change=None):
    """(registry facts, (rel, snapshot, live state), ran_full). Every registry fact the promotion needs is
    read at once, in a process of its own (importing MLflow and opening its store cost seconds of CPU),
    while git and the history are read and the checks' scratch copy is prepared. `change(before, notes)`:
    the new state, given the live one and the new version's provenance; with it, trivy starts on the new
    models.yaml as it will be bar its provenance (trivy is never given provenance: manifests/trivy.py)."""
    with registry.reader() as reading, ThreadPoolExecutor(max_workers=2) as pool:
        asked = reading.submit(registry.facts, version, _named_versions(repo, env))
        ran_full = pool.submit(history.ran_full_at, repo)
        read = _read(repo, env)
        scratch.prepare_in(pool, read[1].head, _shape(change, read[2]))
        return asked.result(), read, ran_full.result()


def _shape(change, before: EnvState) -> str | None:
    """The new models.yaml with no provenance, or None when there is no `change` or it is refused (the
    same refusal is raised, in its turn, once the registry has answered)."""
    if change is None:
        return None
    try:
        return dump(change(before, {}))
    except (InputError, ValueError):
        return None


def _named_versions(repo: Path, env: str) -> tuple[int, ...]:
    """The versions the env's models.yaml names (Models and their version annotations): the checks look
    them up in the registry, so they are read together with the promoted one."""
    try:
        live = read_live(repo, env)
    except InputError:
        return ()  # unreadable: _read says so
    if live is None:
        return ()
    noted = (notes.get(provenance.ANNOTATION["version"], "") for notes in live.annotations.values())
    return tuple(sorted({*live.annotations, *(int(n) for n in noted if n.isdigit())}))


def _require_gates(info: registry.VersionInfo, env: str) -> None:
    gate = info.gate_result(env)
    if gate != "passed":
        failures = info.tags.get(f"{registry.gate_tag(env)}.failures", "")
        raise CheckFailed(
            f"version {info.version} has not passed its {env} gates ({gate or 'never gated'}); "
            f"run `readmit gate --version {info.version} --env {env}`",
            [failures] if failures else [],
        )


def _shadow_plan(env, info, before: EnvState, after: EnvState, repo: Path, reason: str, branch) -> Plan:
    """Shadow mode: the version mirrors `after.mirror_percent`% of the traffic; its answers reach no
    patient."""
    percent = after.mirror_percent
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
    trailers: dict[str, str] | None = None,
    notes: str = "",
) -> PromoteResult:
    repo = Path(repo or paths.repo_root())
    rel, snap, before = _read(repo, env)
    past = history.load(repo)  # read once: the rollback target and the policies' ran_full both come from it
    target, rolled_back = transitions.rollback_target(before, past.states(env))
    info = registry.version_info(target)
    after = EnvState({target: annotations(info, env)}, {target: 100}, target)
    trailers = {
        **_trailers(info, env, before.default, repo, reason),
        provenance.ROLLBACK_OF: str(rolled_back),
        **(trailers or {}),
    }
    plan = Plan(
        env,
        info,
        before,
        after,
        f"Roll back {env} from readmission v{rolled_back} to v{target}",
        f"Version {rolled_back} leaves {env}; version {target} takes 100% of its traffic again.",
        trailers,
        branch or f"rollback/{env}/v{rolled_back}",
        notes,
    )
    return _apply(repo, rel, snap, plan, past.ran_full(), push, pr_out, trivy)


def _apply(
    repo: Path,
    rel: str,
    snap: git.Snapshot,
    plan: Plan,
    ran_full: dict[str, list[str]],
    push: str | None,
    pr_out: Path | None,
    trivy: bool,
    facts: registry.Facts | None = None,
    scratch: ScratchCopy | None = None,
) -> PromoteResult:
    """`facts`: what the registry said, read up front (None: the checks look versions up themselves);
    `scratch`: the checks' copy, prepared up front (None: prepared here)."""
    new_text = dump(plan.after)
    if new_text == (repo / rel).read_text():
        raise InputError(f"{rel}: already in the requested state; nothing to promote")
    commit_message = message.compose(plan.title, plan.summary, plan.trailers)
    with contextlib.ExitStack() as stack, ThreadPoolExecutor(max_workers=2) as pool:
        if scratch is None:
            scratch = stack.enter_context(ScratchCopy(repo, plan.env))
            scratch.prepare(snap.head)
        # While the checks run: the registry queries for the PR's baseline, and the commit's objects
        # (unreferenced until a branch points at the commit, so a refusal leaves nothing anyone sees).
        baseline = pool.submit(_champion, plan.env, repo, facts)
        built = pool.submit(git.build_commit, repo, snap, new_text, commit_message)
        rendered_before, rendered_after, passed = check_in_scratch_copy(
            scratch, rel, new_text, ran_full, trivy, facts.versions if facts else None
        )
        removed = pool.submit(scratch.close)  # no longer needed: removed while the branch is written
        champion, champion_metrics = baseline.result()
        gate_failures = plan.info.tags.get(f"{registry.gate_tag(plan.env)}.failures", "[]")
        markdown = pr.describe(
            title=plan.title,
            summary=plan.summary,
            trailers=plan.trailers,
            candidate_metrics=plan.info.metrics,
            champion_metrics=champion_metrics,
            champion_label=f"champion v{champion}" if champion is not None else f"no champion in {plan.env}",
            gates=[
                f"{plan.env}: {plan.info.gate_result(plan.env) or 'not gated'} (failures: {gate_failures})"
            ],
            checks=passed,
            diff=pr.manifest_diff(rendered_before, rendered_after, plan.env),
        )
        if plan.notes:
            markdown = markdown.rstrip("\n") + "\n\n" + plan.notes.rstrip("\n") + "\n"
        result = _write(repo, snap, plan, built.result(), markdown, push, pr_out)
        removed.result()
    return result


def _write(
    repo: Path, snap: git.Snapshot, plan: Plan, commit: str, markdown: str, push: str | None, pr_out
) -> PromoteResult:
    """Point the new branch at the built commit, check it out, push it and write the PR text; on any
    failure put everything back."""
    snap.verify(repo)
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


def _champion(
    env: str, repo: Path, facts: registry.Facts | None = None
) -> tuple[int | None, dict[str, float] | None]:
    """The same baseline `readmit gate` compared against, with its metrics."""
    champion = gates.champion_version(env, repo, facts.aliases if facts else None)
    if champion is None:
        return None, None
    known = facts.versions.get(champion) if facts else None
    return champion, (known or registry.version_info(champion)).metrics


def _undo(repo: Path, original: str, branch: str, commit: str, pushed_to: str | None) -> None:
    """Put the checkout, the branch and the remote back as they were before `_apply` wrote anything."""
    git.switch(repo, original)
    git.delete_branch(repo, branch, commit)
    if pushed_to:
        git.delete_remote_branch(repo, pushed_to, branch)
