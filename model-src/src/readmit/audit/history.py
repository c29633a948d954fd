"""Facts about past deployments that policies need and a single rendered overlay cannot show."""

from __future__ import annotations

from pathlib import Path

from readmit.audit.gitlog import git, read_history
from readmit.audit.timeline import changes, ran_full


def ran_full_at(repo: Path, rev: str = "HEAD") -> dict[str, list[str]]:
    """Per env, versions that ran alone at 100% in the history of `rev` ({} outside a git repo)."""
    if not git(repo, "rev-parse", "--verify", "--quiet", rev, check=False).strip():
        return {}
    return ran_full(changes(read_history(repo, rev)))
