"""The one adapter from an environment's rendered overlay to the arms of its canary."""

from __future__ import annotations

from pathlib import Path

from readmit.envs import canary_limit
from readmit.errors import InputError
from readmit.manifests.render import render
from readmit.monitoring.canary import Arms

EXPERIMENT = "readmission"
PREFIX = "readmission-v"


class NoCanary(InputError):
    """The env runs no canary (no Experiment yet, or only its default): nothing to judge."""


def _version(name: str, where: str) -> int:
    if not name.startswith(PREFIX) or not name[len(PREFIX) :].isdigit():
        raise InputError(
            f"{where}: candidate {name!r} is not readmission-v<N>; restore it with readmit promote"
        )
    return int(name[len(PREFIX) :])


def arms(repo: Path, env: str) -> Arms:
    """Default, canary (weight) and mirror of the env's Experiment `readmission`, and its canary limit (on
    the Experiment's Namespace), as `kubectl kustomize environments/<env>` renders them (what Argo CD would
    apply)."""
    where = f"environments/{env}"
    docs = render(Path(repo) / where)
    found = [d for d in docs if d.get("kind") == "Experiment" and d["metadata"].get("name") == EXPERIMENT]
    if not found:
        raise NoCanary(f"{where}: no Experiment {EXPERIMENT}; promote a version with readmit promote first")
    spec = found[0].get("spec") or {}
    weights = {_version(c["name"], where): int(c.get("weight", 0)) for c in spec.get("candidates") or []}
    default = _version(spec["default"], where) if spec.get("default") else None
    canaries = [v for v in weights if v != default]
    if default is None or not canaries:
        raise NoCanary(f"{where}: no canary runs (only v{default}); start one with readmit promote --weight")
    mirror = spec.get("mirror") or {}
    return Arms(
        default=default,
        canary=max(canaries),
        weight=weights[max(canaries)],
        limit=canary_limit.rendered(docs, found[0]["metadata"].get("namespace"), where),
        mirror=_version(mirror["name"], where) if mirror.get("name") else None,
    )
