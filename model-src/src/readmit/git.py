"""The one git layer: every git command the package runs goes through `run` (or `run_bytes`), and a
failure is one `GitError` naming the command.

Promotion's writes are plumbing: `build_commit` makes the commit without touching the working tree or the
index, then the branch is created, checked out and pushed; if a later step fails, the caller switches back
and deletes the branch, so refs, index and files end as they began (unreferenced objects are invisible and
`git gc` drops them).
"""

from __future__ import annotations

import os
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from readmit.errors import CheckFailed, InputError

ZERO = "0" * 40


class GitError(CheckFailed):
    """A git command failed: the message names the command, the repository and git's last line."""


def _call(repo: Path | None, args: tuple[str, ...], stdin: bytes | None, env: dict | None):
    """Run git with stdin, stdout and stderr in temp files: a large output (a long history, thousands of
    blobs) is read in one go after git exits, not chunk by chunk through a pipe, where each chunk had to
    win the GIL back from the audit's other thread (several milliseconds apiece)."""
    where = ["-C", str(repo)] if repo is not None else []
    with (
        tempfile.TemporaryFile() as given,
        tempfile.TemporaryFile() as output,
        tempfile.TemporaryFile() as errors,
    ):
        if stdin is not None:
            given.write(stdin)
            given.seek(0)
        try:
            proc = subprocess.run(
                ["git", *where, *args],
                stdin=given if stdin is not None else subprocess.DEVNULL,
                stdout=output,
                stderr=errors,
                env={**os.environ, **(env or {})},
                check=False,
            )
        except OSError as exc:
            raise GitError(f"git {args[0]}: cannot run git ({exc.strerror}); install git") from exc
        output.seek(0)
        errors.seek(0)
        return proc.returncode, output.read(), errors.read()


def _fail(repo: Path | None, args: tuple[str, ...], stderr: bytes) -> GitError:
    last = (stderr.decode(errors="replace").strip().splitlines() or ["no message"])[-1]
    return GitError(f"git {args[0]} failed in {repo or Path.cwd()}: {last}")


def run_bytes(repo: Path | None, *args: str, stdin: bytes | None = None, env: dict | None = None) -> bytes:
    code, out, err = _call(repo, args, stdin, env)
    if code != 0:
        raise _fail(repo, args, err)
    return out


def run(repo: Path | None, *args: str, stdin: str | None = None, env: dict | None = None) -> str:
    """stdout of `git -C repo args...`; GitError when git exits non-zero."""
    return run_bytes(repo, *args, stdin=None if stdin is None else stdin.encode(), env=env).decode()


def succeeds(repo: Path | None, *args: str) -> bool:
    """Whether the command exits 0 (for git's yes/no questions: cat-file -e, merge-base --is-ancestor)."""
    return _call(repo, args, None, None)[0] == 0


def is_repo(repo: Path) -> bool:
    return succeeds(repo, "rev-parse", "--git-dir")


def has_rev(repo: Path, rev: str = "HEAD") -> bool:
    return is_repo(repo) and succeeds(repo, "rev-parse", "--verify", "--quiet", rev)


def cat_files(repo: Path, specs: list[str]) -> list[str | None]:
    """Contents of `<rev>:<path>` objects in one `git cat-file --batch` call (None when missing)."""
    if not specs:
        return []
    data = run_bytes(repo, "cat-file", "--batch", stdin="\n".join(specs).encode() + b"\n")
    pos, texts = 0, []
    for _ in specs:
        end = data.index(b"\n", pos)
        header = data[pos:end].split()
        if header[-1] == b"missing":
            texts.append(None)
            pos = end + 1
            continue
        size = int(header[2])
        # Binary content (a hand edit gone wrong) must not stop the audit: it parses as unreadable.
        texts.append(data[end + 1 : end + 1 + size].decode("utf-8", errors="replace"))
        pos = end + 1 + size + 1
    return texts


def archive(repo: Path, rev: str = "HEAD") -> bytes:
    """The tree of `rev` as a tar archive."""
    return run_bytes(repo, "archive", "--format=tar", rev)


def clone(source: Path, target: Path, bare: bool = False) -> None:
    run(None, "clone", "-q", *(["--bare"] if bare else []), str(source), str(target))


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
            if succeeds(repo, "cat-file", "-e", f"HEAD:{path}")
            else None
        )
        return cls(head, path, blob or None)

    def verify(self, repo: Path) -> None:
        ensure_clean(repo)
        if Snapshot.take(repo, self.path) != self:
            raise CheckFailed(f"{self.path} or HEAD changed since promote read it; run promote again")


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
    if not succeeds(repo, "check-ref-format", "--branch", branch):
        raise InputError(f"--branch {branch}: not a valid branch name")
    if run(repo, "branch", "--list", branch).strip():
        raise InputError(f"--branch {branch}: the branch already exists; delete it or choose another name")
    run(repo, "update-ref", f"refs/heads/{branch}", commit, ZERO)


def delete_branch(repo: Path, branch: str, commit: str) -> None:
    run(repo, "update-ref", "-d", f"refs/heads/{branch}", commit)


def current(repo: Path) -> str:
    """The checked-out branch name, or the commit when HEAD is detached."""
    if succeeds(repo, "symbolic-ref", "-q", "HEAD"):
        return run(repo, "symbolic-ref", "-q", "--short", "HEAD").strip()
    return run(repo, "rev-parse", "HEAD").strip()


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
