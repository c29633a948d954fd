"""Policies on historical commits: seldon-rollout and promotion on each past models.yaml."""

from __future__ import annotations

import re
from collections.abc import Callable

from readmit.audit.anomalies import Anomaly
from readmit.envs import provenance
from readmit.envs.state import EXPERIMENT, SELDON, EnvState, model_name
from readmit.envs.timeline import Change
from readmit.policy import documents

POLICIES = ("seldon-rollout", "promotion")


def policy_failures(
    all_changes: list[Change],
    canary_limits: dict[str, str],
    envs_in_order: list[str],
    evaluate: Callable[[tuple[str, ...], list[dict]], list[list[list[str]]]],
) -> list[Anomaly]:
    """Run the model policies (seldon-rollout, promotion) on each historical models.yaml, with the history
    known at that commit. Inputs are canonical (versions renamed by rank, annotation values reduced to
    present/absent, which is all these policies compare without a registry), so a long history collapses to
    a few distinct inputs, evaluated in one batch per policy; messages get the real versions back.

    A document is built only for an input not seen before: `_shape` and the ranks of the versions that ran
    alone tell, for far less work, whether two changes' canonical documents are equal."""
    owners: list[tuple[tuple, Change]] = []
    distinct: dict[tuple, dict] = {}
    ran: dict[str, set[int]] = {}
    shapes: dict[int, tuple[tuple, dict[int, int]]] = {}  # id(state) -> its shape: one EnvState per text
    for ch in all_changes:
        state = ch.state
        if state is None or not state.weights:
            continue
        if state.ran_full:
            ran.setdefault(ch.env, set()).update(state.weights)
        if (shape := shapes.get(id(state))) is None:
            shape = shapes[id(state)] = _shape(state)
        form, rank = shape
        limit = canary_limits.get(ch.env)
        ran_here = tuple((e, tuple(i for v, i in rank.items() if v in vs)) for e, vs in sorted(ran.items()))
        key = (form, ch.env, limit, ran_here)
        if key not in distinct:
            distinct[key] = _canonical(ch, limit, ran, envs_in_order)
        owners.append((key, ch))
    keys = list(distinct)
    per_policy = evaluate(POLICIES, list(distinct.values())) if keys else [[] for _ in POLICIES]
    out: list[Anomaly] = []
    for policy, results in zip(POLICIES, per_policy, strict=True):
        found = dict(zip(keys, results, strict=True))
        for key, ch in owners:
            if found[key]:
                alias = {str(a): str(v) for v, a in _rank(ch.state).items()}
                out += [
                    Anomaly("policy", ch.env, ch.commit.sha, f"{policy}: {_real(m, alias)}")
                    for m in found[key]
                ]
    return out


_ALIAS_BASE = 9_000_000_000  # far from any real version number, so messages map back unambiguously
_VERSION_NOTE = provenance.ANNOTATION["version"]


def _rank(state: EnvState) -> dict[int, int]:
    """Every version the state names (live, annotated, or in a version annotation) -> its alias, by rank."""
    versions = set(state.weights) | set(state.annotations)
    versions |= {
        int(a[_VERSION_NOTE]) for a in state.annotations.values() if str(a.get(_VERSION_NOTE, "")).isdigit()
    }
    return {v: _ALIAS_BASE + i for i, v in enumerate(sorted(versions))}


def _shape(state: EnvState) -> tuple[tuple, dict[int, int]]:
    """(form, rank): `form` is equal for two states exactly when `_canonical` gives them equal Models and
    candidates (per Model: its rank, its annotation keys in order, those without a value, and the rank its
    version annotation names), `rank` is `_rank(state)` by position (0, 1, ...)."""
    marks = []
    for notes in state.annotations.values():
        value = notes.get(_VERSION_NOTE)
        marks.append(int(value) if value is not None and str(value).isdigit() else None)
    versions = set(state.weights).union(state.annotations, (m for m in marks if m is not None))
    rank = {v: i for i, v in enumerate(sorted(versions))}
    models = []
    for (version, notes), mark in zip(state.annotations.items(), marks, strict=True):
        values = notes.values()
        unset = (
            tuple(k for k, x in notes.items() if x in (None, "")) if None in values or "" in values else ()
        )
        models.append((rank[version], tuple(notes), unset, None if mark is None else rank[mark]))
    candidates = tuple((rank[v], w) for v, w in sorted(state.weights.items()))
    return (tuple(sorted(models)), candidates), rank


def _canonical(ch: Change, limit: str | None, ran: dict[str, set[int]], envs_in_order: list[str]) -> dict:
    state = ch.state
    rank = _rank(state)

    def note(key: str, value) -> str:
        if key == _VERSION_NOTE and str(value).isdigit():
            return str(rank[int(value)])
        return "set" if value not in (None, "") else ""

    models = [
        {
            "apiVersion": SELDON,
            "kind": "Model",
            "metadata": {"name": model_name(rank[v]), "annotations": {k: note(k, x) for k, x in a.items()}},
        }
        for v, a in sorted(state.annotations.items())
    ]
    candidates = [{"name": model_name(rank[v]), "weight": w} for v, w in sorted(state.weights.items())]
    # The limit sits on the Namespace the Experiment is in (envs/canary_limit.py); the env's name stands
    # in for the Namespace's, which only a render would give.
    namespace = {
        "apiVersion": "v1",
        "kind": "Namespace",
        "metadata": {"name": ch.env, "annotations": {provenance.CANARY_LIMIT: limit} if limit else {}},
    }
    experiment = {
        "apiVersion": SELDON,
        "kind": "Experiment",
        "metadata": {"name": EXPERIMENT, "namespace": ch.env},
        "spec": {"candidates": candidates},
    }
    # Only this document's versions matter; iterate over them, not over everything that ever ran.
    ran_full = {e: sorted(str(a) for v, a in rank.items() if v in vs) for e, vs in sorted(ran.items())}
    context = documents.context(envs_in_order, ran_full, ch.env)
    return {"objects": [*models, namespace, experiment], "context": context}


def _real(message: str, alias: dict[str, str]) -> str:
    return re.sub(r"9\d{9}", lambda m: alias.get(m.group(0), m.group(0)), message)
