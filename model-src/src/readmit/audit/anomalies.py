"""What an auditor must look at: hand edits, prod versions that skipped staging, provenance that no longer
matches the registry, policies failing on historical commits, and history that was rewritten.

Force-push ("missing ancestry") is detected two ways, both from the audited clone: (1) a reflog entry of
a branch or remote-tracking ref whose new value does not contain its previous value (a forced fetch or
push, a reset, an amend or a rebase); (2) a head recorded by an earlier `readmit audit` of this clone (kept
in `<git-dir>/readmit-audit-heads`) that no ref reaches any more, which still works after reflogs expire.
"""

from __future__ import annotations

import json
import re
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from readmit.atomic import write_text
from readmit.audit.gitlog import git
from readmit.audit.timeline import Change
from readmit.promote.models_file import EXPERIMENT, model_name

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
    known at that commit. Inputs are canonical (versions renamed by rank, annotation values reduced to
    present/absent, which is all these policies compare without a registry), so a long history collapses to
    a few distinct inputs, evaluated in one batch per policy; messages get the real versions back."""
    inputs, owners = [], []
    ran: dict[str, set[int]] = {}
    for ch in all_changes:
        if ch.state is None or not ch.state.weights:
            continue
        weights = ch.state.weights
        if len(weights) == 1 and 100 in weights.values():
            ran.setdefault(ch.env, set()).update(weights)
        doc, alias = _canonical(ch, canary_limits.get(ch.env), ran)
        inputs.append(json.dumps(doc, sort_keys=True))
        owners.append((ch, alias))
    out: list[Anomaly] = []
    unique = sorted(set(inputs))
    for policy in ("seldon-rollout", "promotion"):
        results = dict(zip(unique, evaluate(policy, [json.loads(k) for k in unique]), strict=True)) if unique else {}
        for key, (ch, alias) in zip(inputs, owners, strict=True):
            out += [Anomaly("policy", ch.env, ch.commit.sha, f"{policy}: {_real(m, alias)}") for m in results[key]]
    return out


_ALIAS_BASE = 9_000_000_000  # far from any real version number, so messages map back unambiguously
_VERSION_NOTE = "readmit.io/model-version"


def _canonical(ch: Change, limit: str | None, ran: dict[str, set[int]]) -> tuple[dict, dict[str, str]]:
    state = ch.state
    versions = set(state.weights) | set(state.annotations)
    versions |= {int(a[_VERSION_NOTE]) for a in state.annotations.values() if str(a.get(_VERSION_NOTE, "")).isdigit()}
    rank = {v: _ALIAS_BASE + i for i, v in enumerate(sorted(versions))}

    def note(key: str, value) -> str:
        if key == _VERSION_NOTE and str(value).isdigit():
            return str(rank[int(value)])
        return "set" if value not in (None, "") else ""

    models = [{"kind": "Model", "metadata": {"name": model_name(rank[v]),
                                            "annotations": {k: note(k, x) for k, x in a.items()}}}
              for v, a in sorted(state.annotations.items())]
    candidates = [{"name": model_name(rank[v]), "weight": w} for v, w in sorted(state.weights.items())]
    experiment = {"kind": "Experiment", "metadata": {"name": EXPERIMENT, "annotations":
                  {"readmit.io/canary-max-weight": limit} if limit else {}}, "spec": {"candidates": candidates}}
    ran_full = {e: sorted(str(rank[v]) for v in vs if v in rank) for e, vs in sorted(ran.items())}
    doc = {"objects": [*models, experiment], "context": {"env": ch.env, "ran_full": ran_full}}
    return doc, {str(a): str(v) for v, a in rank.items()}


def _real(message: str, alias: dict[str, str]) -> str:
    return re.sub(r"9\d{9}", lambda m: alias.get(m.group(0), m.group(0)), message)


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
