"""Policies on historical commits: seldon-rollout and promotion on each past models.yaml."""

from __future__ import annotations

import re
from collections.abc import Callable

from readmit.audit.anomalies import Anomaly
from readmit.envs import provenance
from readmit.envs.state import EXPERIMENT, SELDON, model_name
from readmit.envs.timeline import Change

POLICIES = ("seldon-rollout", "promotion")


def policy_failures(
    all_changes: list[Change],
    canary_limits: dict[str, str],
    evaluate: Callable[[tuple[str, ...], list[dict]], list[list[list[str]]]],
) -> list[Anomaly]:
    """Run the model policies (seldon-rollout, promotion) on each historical models.yaml, with the history
    known at that commit. Inputs are canonical (versions renamed by rank, annotation values reduced to
    present/absent, which is all these policies compare without a registry), so a long history collapses to
    a few distinct inputs, evaluated in one batch per policy; messages get the real versions back."""
    inputs, owners = [], []
    distinct: dict[str, dict] = {}
    ran: dict[str, set[int]] = {}
    for ch in all_changes:
        if ch.state is None or not ch.state.weights:
            continue
        weights = ch.state.weights
        if ch.state.ran_full:
            ran.setdefault(ch.env, set()).update(weights)
        doc, alias = _canonical(ch, canary_limits.get(ch.env), ran)
        key = repr(doc)  # the document is built in a fixed order, so equal inputs print alike
        distinct.setdefault(key, doc)
        inputs.append(key)
        owners.append((ch, alias))
    unique = list(distinct)
    documents = list(distinct.values())

    per_policy = evaluate(POLICIES, documents) if unique else [[] for _ in POLICIES]
    results = {p: dict(zip(unique, r, strict=True)) for p, r in zip(POLICIES, per_policy, strict=True)}
    out: list[Anomaly] = []
    for policy in POLICIES:
        for key, (ch, alias) in zip(inputs, owners, strict=True):
            out += [
                Anomaly("policy", ch.env, ch.commit.sha, f"{policy}: {_real(m, alias)}")
                for m in results[policy][key]
            ]
    return out


_ALIAS_BASE = 9_000_000_000  # far from any real version number, so messages map back unambiguously
_VERSION_NOTE = provenance.ANNOTATION["version"]


def _canonical(ch: Change, limit: str | None, ran: dict[str, set[int]]) -> tuple[dict, dict[str, str]]:
    state = ch.state
    versions = set(state.weights) | set(state.annotations)
    versions |= {
        int(a[_VERSION_NOTE]) for a in state.annotations.values() if str(a.get(_VERSION_NOTE, "")).isdigit()
    }
    rank = {v: _ALIAS_BASE + i for i, v in enumerate(sorted(versions))}

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
    doc = {"objects": [*models, namespace, experiment], "context": {"env": ch.env, "ran_full": ran_full}}
    return doc, {str(a): str(v) for v, a in rank.items()}


def _real(message: str, alias: dict[str, str]) -> str:
    return re.sub(r"9\d{9}", lambda m: alias.get(m.group(0), m.group(0)), message)
