"""From commits to what was live where: one Change per commit that rewrote an env's models.yaml, and
Segments saying which version ran at which weight from when to when."""

from __future__ import annotations

import functools
from dataclasses import dataclass

from readmit.envs import provenance
from readmit.envs.log import Commit
from readmit.envs.order import rank
from readmit.envs.state import EnvState, parse
from readmit.errors import InputError


@dataclass(frozen=True)
class Change:
    env: str
    commit: Commit
    state: EnvState | None  # None: the file was deleted or is unreadable
    previous: EnvState | None
    time: str  # when it reached the audited branch: the approving merge, else the commit
    approver: str
    kind: str  # promote | rollback | hand-edit | bootstrap


@dataclass(frozen=True)
class Segment:
    env: str
    version: int
    weight: int
    start: str
    end: str | None  # None: still live
    commit: str
    author: str
    approver: str
    kind: str
    metrics: str
    gates: str


def approvals(commits: list[Commit]) -> dict[str, tuple[str, str]]:
    """sha -> (approver, time): a merge approves the side it brings in; review trailers approve a commit."""
    out: dict[str, tuple[str, str]] = {}
    for c in commits:
        for key in provenance.REVIEW_TRAILERS:
            if key in c.trailers:
                out.setdefault(c.sha, (c.trailers[key], c.committed))
        if c.is_merge:
            for parent in c.parents[1:]:
                out[parent] = (c.trailers.get("Approved-by") or c.committer, c.committed)
    return out


def changes(commits: list[Commit]) -> list[Change]:
    approved = approvals(commits)
    last: dict[str, EnvState | None] = {}
    out = []
    for c in commits:
        for env, text in sorted(c.models.items()):
            state = None if text is None else _parse_cached(text)
            approver, time = approved.get(c.sha, ("", c.committed))
            previous = last.get(env)
            out.append(Change(env, c, state, previous, time, approver, _kind(c, env in last, state)))
            last[env] = state
    return out


@functools.lru_cache(maxsize=4096)
def _parse_cached(text: str) -> EnvState | None:
    # The same file content recurs (one version in three envs, rollbacks): parse each text once.
    try:
        return parse(text)
    except InputError:
        return None


def _kind(c: Commit, seen_before: bool, state: EnvState | None) -> str:
    if provenance.ROLLBACK_OF in c.trailers:
        return "rollback"
    if provenance.TRAILER["version"] in c.trailers:
        return "promote"
    if not seen_before and state is not None and not state.weights:
        return "bootstrap"  # the empty file the overlay starts with
    return "hand-edit"


def segments(all_changes: list[Change], order: list[str]) -> dict[str, list[Segment]]:
    """Per env (in promotion `order`, then any other by name), oldest first: every live (version, weight)
    with the interval it held."""
    by_env: dict[str, list[Change]] = {}
    for ch in all_changes:
        by_env.setdefault(ch.env, []).append(ch)
    out: dict[str, list[Segment]] = {}
    for env, env_changes in sorted(by_env.items(), key=lambda item: rank(item[0], order)):
        rows = out.setdefault(env, [])
        for i, ch in enumerate(env_changes):
            end = env_changes[i + 1].time if i + 1 < len(env_changes) else None
            for version, weight in sorted((ch.state.weights if ch.state else {}).items()):
                notes = ch.state.annotations.get(version, {})
                rows.append(
                    Segment(
                        env,
                        version,
                        weight,
                        ch.time,
                        end,
                        ch.commit.sha,
                        ch.commit.author,
                        ch.approver,
                        ch.kind,
                        notes.get(provenance.ANNOTATION["metrics"], ""),
                        notes.get(provenance.ANNOTATION["gates"], ""),
                    )
                )
    return out


def ran_full(all_changes: list[Change]) -> dict[str, list[str]]:
    """Per env, the versions that were ever the only candidate at weight 100 (as strings, for Rego)."""
    out: dict[str, set[str]] = {}
    for ch in all_changes:
        if ch.state and ch.state.ran_full:
            out.setdefault(ch.env, set()).update(str(v) for v in ch.state.weights)
    return {env: sorted(vs, key=int) for env, vs in sorted(out.items())}
