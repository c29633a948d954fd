"""What an auditor must look at: hand edits, prod versions that skipped staging, and provenance that no
longer matches the registry. Policies on historical commits: historical_policies.py; rewritten history:
forcepush.py."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from readmit.envs import provenance
from readmit.envs.divergence import divergence
from readmit.envs.timeline import Change

# VersionInfo attribute -> the annotation that must equal it
REGISTRY_FIELDS = {name: provenance.ANNOTATION[name] for name in ("run_id", "model_digest", "data_version")}


@dataclass(frozen=True)
class Anomaly:
    kind: str  # hand-edit | skipped-<env> | registry-mismatch | registry-alias | policy | force-push
    env: str
    commit: str
    message: str


def hand_edits(all_changes: list[Change]) -> list[Anomaly]:
    return [
        Anomaly(
            "hand-edit",
            ch.env,
            ch.commit.sha,
            f"environments/{ch.env}/models.yaml changed without promotion trailers by {ch.commit.author}",
        )
        for ch in all_changes
        if ch.kind == "hand-edit"
    ]


def skipped_previous(all_changes: list[Change], order: list[str]) -> list[Anomaly]:
    """Versions live in the last environment of the promotion `order` that never ran alone at 100% in
    the one before it (with dev, staging, prod: prod versions that skipped staging)."""
    if len(order) < 2:
        return []
    before, last = order[-2], order[-1]
    full_before: set[int] = set()
    out = []
    for ch in all_changes:
        weights = ch.state.weights if ch.state else {}
        if ch.env == before and ch.state and ch.state.ran_full:
            full_before.update(weights)
        if ch.env == last:
            out += [
                Anomaly(
                    f"skipped-{before}",
                    last,
                    ch.commit.sha,
                    f"version {v} is live in {last} but never ran at 100% in {before}",
                )
                for v in sorted(weights)
                if v not in full_before
            ]
    return out


def alias_divergences(all_changes: list[Change], aliases: dict[str, int]) -> list[Anomaly]:
    """Environments whose registry alias differs from what the audited history serves at its end, by the
    rule of `readmit registry sync --check`, with the same line; the commit is the env's last change."""
    last = {ch.env: ch for ch in all_changes}
    live = {env: ch.state.default if ch.state else None for env, ch in last.items()}
    found = divergence(live, aliases)
    return [Anomaly("registry-alias", d.env, last[d.env].commit.sha, d.line()) for d in found]


def registry_mismatches(all_changes: list[Change], lookup: Callable[[int], object | None]) -> list[Anomaly]:
    """Compare each version's latest annotations per env with the registry as it is now."""
    latest: dict[tuple[str, int], tuple[str, dict]] = {}
    for ch in all_changes:
        for version, notes in ch.state.annotations.items() if ch.state else []:
            latest[(ch.env, version)] = (ch.commit.sha, notes)
    out = []
    for (env, version), (sha, notes) in sorted(latest.items()):
        info = lookup(version)
        if info is None:
            out.append(
                Anomaly("registry-mismatch", env, sha, f"version {version} is not in the model registry")
            )
            continue
        for field, key in REGISTRY_FIELDS.items():
            if notes.get(key, "") != getattr(info, field):
                out.append(
                    Anomaly(
                        "registry-mismatch",
                        env,
                        sha,
                        f"version {version}: annotation {key} "
                        f"{notes.get(key, '')!r} but the registry has {getattr(info, field)!r}",
                    )
                )
    return out
