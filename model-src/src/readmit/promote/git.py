"""The git side of a promotion: build the commit without touching the working tree or the index, then
create the branch, check it out and push; if a later step fails, the original checkout comes back and the
branch is removed, so the repository's refs, index and files end as they began (the unreferenced objects
are invisible and `git gc` drops them)."""

from __future__ import annotations

import os
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from readmit.errors import CheckFailed, InputError

ZERO = "0" * 40


def run(repo: Path, *args: str, stdin: str | None = None, env: dict | None = None) -> str:
    proc = subprocess.run(
        ["git", "-C", str(repo), *args],
        input=stdin,
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        check=False,
    )
    if proc.returncode != 0:
        last = (proc.stderr.strip().splitlines() or ["no message"])[-1]
        raise CheckFailed(f"git {args[0]} failed in {repo}: {last}")
    return proc.stdout


@dataclass(frozen=True)
class Snapshot:
    """What promote read: HEAD and the env file's blob, so a concurrent change is caught before writing."""

    head: str
    path: str
    blob: str | None

    @classmethod
    def take(cls, repo: Path, path: str) -> Snapshot:
        head = run(repo, "rev-parse", "--verify", "HEAD").strip()
        blob = (
            run(repo, "rev-parse", "--verify", "--quiet", f"HEAD:{path}").strip()
            if _exists(repo, path)
            else None
        )
        return cls(head, path, blob or None)

    def verify(self, repo: Path) -> None:
        ensure_clean(repo)
        if Snapshot.take(repo, self.path) != self:
            raise CheckFailed(f"{self.path} or HEAD changed since promote read it; run promote again")


def _exists(repo: Path, path: str) -> bool:
    return bool(
        subprocess.run(
            ["git", "-C", str(repo), "cat-file", "-e", f"HEAD:{path}"], capture_output=True, check=False
        ).returncode
        == 0
    )


def ensure_clean(repo: Path) -> None:
    dirty = run(repo, "status", "--porcelain", "--untracked-files=normal").splitlines()
    if dirty:
        raise InputError(
            f"{repo}: the working tree is dirty ({len(dirty)} paths, e.g. {dirty[0][3:]}); "
            "commit or remove the changes, then promote"
        )


def build_commit(repo: Path, snap: Snapshot, text: str, message: str) -> str:
    """A commit on top of snap.head whose only change is `snap.path` = `text`; refs are not touched."""
    blob = run(repo, "hash-object", "-w", "--stdin", stdin=text).strip()
    with tempfile.TemporaryDirectory() as tmp:
        index = {"GIT_INDEX_FILE": str(Path(tmp) / "index")}
        run(repo, "read-tree", snap.head, env=index)
        run(repo, "update-index", "--add", "--cacheinfo", f"100644,{blob},{snap.path}", env=index)
        tree = run(repo, "write-tree", env=index).strip()
    return run(repo, "commit-tree", tree, "-p", snap.head, "-F", "-", stdin=message).strip()


def create_branch(repo: Path, branch: str, commit: str) -> None:
    """Create refs/heads/<branch> only if it does not exist yet (atomic: the old value must be zero)."""
    if subprocess.run(
        ["git", "-C", str(repo), "check-ref-format", "--branch", branch], capture_output=True, check=False
    ).returncode:
        raise InputError(f"--branch {branch}: not a valid branch name")
    if run(repo, "branch", "--list", branch).strip():
        raise InputError(f"--branch {branch}: the branch already exists; delete it or choose another name")
    run(repo, "update-ref", f"refs/heads/{branch}", commit, ZERO)


def delete_branch(repo: Path, branch: str, commit: str) -> None:
    run(repo, "update-ref", "-d", f"refs/heads/{branch}", commit)


def current(repo: Path) -> str:
    """The checked-out branch name, or the commit when HEAD is detached."""
    branch = subprocess.run(
        ["git", "-C", str(repo), "symbolic-ref", "-q", "--short", "HEAD"],
        capture_output=True,
        text=True,
        check=False,
    ).stdout.strip()
    return branch or run(repo, "rev-parse", "HEAD").strip()


def switch(repo: Path, target: str) -> None:
    """Check out `target`; the tree is clean and only models.yaml differs, so nothing can be lost."""
    run(repo, "checkout", "-q", target)


def delete_remote_branch(repo: Path, remote: str, branch: str) -> None:
    run(repo, "push", "--porcelain", remote, f":refs/heads/{branch}")


def push(repo: Path, remote: str, branch: str) -> None:
    run(repo, "push", "--porcelain", remote, f"refs/heads/{branch}:refs/heads/{branch}")


def identity(repo: Path) -> str:
    """Who promotes: READMIT_PROMOTED_BY, else git's committer identity."""
    if who := os.environ.get("READMIT_PROMOTED_BY"):
        return who
    ident = run(repo, "var", "GIT_COMMITTER_IDENT").strip()
    return ident.rsplit(">", 1)[0] + ">" if ">" in ident else ident
