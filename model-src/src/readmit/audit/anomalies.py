"""What an auditor must look at: hand edits, prod versions that skipped staging, and provenance that no
longer matches the registry. Policies on historical commits: historical_policies.py; rewritten history:
forcepush.py."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from readmit.audit.timeline import Change

REGISTRY_FIELDS = {
    "run_id": "readmit.io/mlflow-run",
    "model_digest": "readmit.io/model-digest",
    "data_version": "readmit.io/data-version",
}


@dataclass(frozen=True)
class Anomaly:
    kind: str  # hand-edit | skipped-staging | registry-mismatch | policy | force-push
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


def skipped_staging(all_changes: list[Change]) -> list[Anomaly]:
    full_in_staging: set[int] = set()
    out = []
    for ch in all_changes:
        weights = ch.state.weights if ch.state else {}
        if ch.env == "staging" and len(weights) == 1 and 100 in weights.values():
            full_in_staging.update(weights)
        if ch.env == "prod":
            out += [
                Anomaly(
                    "skipped-staging",
                    "prod",
                    ch.commit.sha,
                    f"version {v} is live in prod but never ran at 100% in staging",
                )
                for v in sorted(weights)
                if v not in full_in_staging
            ]
    return out


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
