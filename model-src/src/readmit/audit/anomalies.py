"""What an auditor must look at: hand edits, prod versions that skipped staging, provenance that no longer
matches the registry, policies failing on historical commits, and history that was rewritten.

Force-push ("missing ancestry") is detected two ways, both from the audited clone: (1) a reflog entry of
a branch or remote-tracking ref whose new value does not contain its previous value (a forced fetch or
push, a reset, an amend or a rebase); (2) a head recorded by an earlier `readmit audit` of this clone (kept
in `<git-dir>/readmit-audit-heads`) that no ref reaches any more, which still works after reflogs expire.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from readmit.atomic import write_text
from readmit.audit.gitlog import git
from readmit.audit.timeline import Change
from readmit.promote.models_file import model_name

REGISTRY_FIELDS = {"run_id": "readmit.io/mlflow-run", "model_digest": "readmit.io/model-digest",
                   "data_version": "readmit.io/data-version"}
SEEN_HEADS = "readmit-audit-heads"
ZERO = "0" * 40


@dataclass(frozen=True)
class Anomaly:
    kind: str  # hand-edit | skipped-staging | registry-mismatch | policy | force-push
    env: str
    commit: str
    message: str


def hand_edits(all_changes: list[Change]) -> list[Anomaly]:
    return [
        Anomaly("hand-edit", ch.env, ch.commit.sha,
                f"environments/{ch.env}/models.yaml changed without promotion trailers by {ch.commit.author}")
        for ch in all_changes if ch.kind == "hand-edit"
    ]


def skipped_staging(all_changes: list[Change]) -> list[Anomaly]:
    full_in_staging: set[int] = set()
    out = []
    for ch in all_changes:
        weights = ch.state.weights if ch.state else {}
        if ch.env == "staging" and len(weights) == 1 and 100 in weights.values():
            full_in_staging.update(weights)
        if ch.env == "prod":
            out += [Anomaly("skipped-staging", "prod", ch.commit.sha, f"version {v} is live in prod but never ran "
                            "at 100% in staging") for v in sorted(weights) if v not in full_in_staging]
    return out


def registry_mismatches(all_changes: list[Change], lookup: Callable[[int], object | None]) -> list[Anomaly]:
    """Compare each version's latest annotations per env with the registry as it is now."""
    latest: dict[tuple[str, int], tuple[str, dict]] = {}
    for ch in all_changes:
        for version, notes in (ch.state.annotations.items() if ch.state else []):
            latest[(ch.env, version)] = (ch.commit.sha, notes)
    out = []
    for (env, version), (sha, notes) in sorted(latest.items()):
        info = lookup(version)
        if info is None:
            out.append(Anomaly("registry-mismatch", env, sha, f"version {version} is not in the model registry"))
            continue
        for field, key in REGISTRY_FIELDS.items():
            if notes.get(key, "") != getattr(info, field):
                out.append(Anomaly("registry-mismatch", env, sha, f"version {version}: annotation {key} "
                                   f"{notes.get(key, '')!r} but the registry has {getattr(info, field)!r}"))
    return out


def policy_failures(all_changes: list[Change], canary_limits: dict[str, str],
                    evaluate: Callable[[str, list[dict]], list[list[str]]]) -> list[Anomaly]:
    """Run the model policies (seldon-rollout, promotion) on each historical models.yaml, with the history
    known at that commit; identical inputs are evaluated once, in one batch per policy."""
    inputs, owners = [], []
    ran: dict[str, set[str]] = {}
    for ch in all_changes:
        if ch.state is None or not ch.state.weights:
            continue
        weights = ch.state.weights
        if len(weights) == 1 and 100 in weights.values():
            ran.setdefault(ch.env, set()).update(str(v) for v in weights)
        live = {str(v) for v in weights}
        doc = {"objects": _objects(ch, canary_limits.get(ch.env)),
               "context": {"env": ch.env, "ran_full": {e: sorted(vs & live) for e, vs in ran.items()}}}
        inputs.append(doc)
        owners.append(ch)
    out: list[Anomaly] = []
    keys = [json.dumps(d, sort_keys=True) for d in inputs]
    unique = sorted(set(keys))
    for policy in ("seldon-rollout", "promotion"):
        results = dict(zip(unique, evaluate(policy, [json.loads(k) for k in unique]), strict=True)) if unique else {}
        for key, ch in zip(keys, owners, strict=True):
            out += [Anomaly("policy", ch.env, ch.commit.sha, f"{policy}: {m}") for m in results[key]]
    return out


def _objects(ch: Change, limit: str | None) -> list[dict]:
    from readmit.promote.models_file import EXPERIMENT

    notes = {"readmit.io/canary-max-weight": limit} if limit else {}
    models = [{"kind": "Model", "metadata": {"name": model_name(v), "annotations": a}}
              for v, a in sorted(ch.state.annotations.items())]
    candidates = [{"name": model_name(v), "weight": w} for v, w in sorted(ch.state.weights.items())]
    experiment = {"kind": "Experiment", "metadata": {"name": EXPERIMENT, "annotations": notes},
                  "spec": {"candidates": candidates}}
    return [*models, experiment]


def force_pushes(repo: Path, record: bool = True) -> list[Anomaly]:
    reachable = set(git(repo, "rev-list", "--all").split())
    parents = {line.split()[0]: line.split()[1:] for line in git(repo, "rev-list", "--all", "--reflog", "--parents").splitlines()}
    git_dir = Path(git(repo, "rev-parse", "--absolute-git-dir").strip())
    out, seen = [], set()
    for ref, old, new in _reflog_moves(git_dir):
        if (ref, old) in seen or old in parents.get(new, ()) or _is_ancestor(repo, old, new):
            continue
        seen.add((ref, old))
        out.append(Anomaly("force-push", "", new, f"{ref} moved from {old[:12]} to {new[:12]}, which does not "
                           f"contain it: history was rewritten or force-pushed"))
    heads_file = git_dir / SEEN_HEADS
    recorded = heads_file.read_text().split() if heads_file.exists() else []
    for sha in dict.fromkeys(recorded):
        if sha not in reachable and not any(sha[:12] in a.message for a in out):
            out.append(Anomaly("force-push", "", sha, f"{sha[:12]} was a head at an earlier audit and is no "
                               "longer in the history (force-pushed)"))
    if record:
        heads = git(repo, "for-each-ref", "--format=%(objectname)", "refs/heads", "refs/remotes").split()
        write_text(heads_file, "\n".join(sorted(set(recorded) | set(heads))) + "\n")
    return out


def _reflog_moves(git_dir: Path):
    """(ref, old, new) for every update of a branch or remote-tracking ref that had a previous value."""
    logs = git_dir / "logs" / "refs"
    for log in sorted(p for p in logs.rglob("*") if p.is_file()) if logs.is_dir() else []:
        ref = log.relative_to(git_dir / "logs").as_posix()
        for line in log.read_text(errors="replace").splitlines():
            old, new = line.split(" ", 2)[:2]
            if old != ZERO and old != new:
                yield ref, old, new


def _is_ancestor(repo: Path, old: str, new: str) -> bool:
    return subprocess.run(["git", "-C", str(repo), "merge-base", "--is-ancestor", old, new],
                          capture_output=True, check=False).returncode == 0
