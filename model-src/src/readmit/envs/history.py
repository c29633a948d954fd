"""The history of environments/, read once: commits, the changes they made per environment, and the facts
promote, rollback, gates, policy checks and the audit derive from it."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from readmit import git
from readmit.envs.log import Commit, read_log
from readmit.envs.state import EnvState
from readmit.envs.timeline import Change, changes, ran_full


@dataclass(frozen=True)
class History:
    commits: list[Commit]
    changes: list[Change]

    def states(self, env: str) -> list[EnvState]:
        """The env's past readable states, oldest first."""
        return [ch.state for ch in self.changes if ch.env == env and ch.state is not None]

    def ran_full(self) -> dict[str, list[str]]:
        """Per env, versions that ran alone at 100% (strings, for Rego)."""
        return ran_full(self.changes)


def load(repo: Path, rev: str = "HEAD", since: str | None = None) -> History:
    """The history of `rev` (empty when `repo` has no such revision: a fresh or non-git folder)."""
    if not git.has_rev(Path(repo), rev):
        return History([], [])
    commits = read_log(Path(repo), rev, since)
    return History(commits, changes(commits))


def ran_full_at(repo: Path, rev: str = "HEAD") -> dict[str, list[str]]:
    """Per env, versions that ran alone at 100% in the history of `rev` ({} outside a git repo)."""
    return load(repo, rev).ran_full()
