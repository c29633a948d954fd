"""Throw-away git repositories for promote and audit tests: a copy of this repo's committed tree."""

from __future__ import annotations

import io
import subprocess
import tarfile
from pathlib import Path

IDENTITY = {
    "GIT_AUTHOR_NAME": "Pat Promoter",
    "GIT_AUTHOR_EMAIL": "pat@hospital.example",
    "GIT_COMMITTER_NAME": "Pat Promoter",
    "GIT_COMMITTER_EMAIL": "pat@hospital.example",
}


def git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(repo), *args], capture_output=True, text=True, check=True).stdout


def trailers(repo: Path, rev: str = "HEAD") -> dict[str, str]:
    """The trailers of commit `rev` as git itself parses them (`git interpret-trailers --parse`)."""
    text = git(repo, "log", "-1", "--format=%B", rev)
    parsed = subprocess.run(
        ["git", "interpret-trailers", "--parse"], input=text, capture_output=True, text=True, check=True
    ).stdout
    return dict(line.split(": ", 1) for line in parsed.splitlines())


def use_identity(monkeypatch) -> None:
    for key, value in IDENTITY.items():
        monkeypatch.setenv(key, value)
    monkeypatch.delenv("READMIT_PROMOTED_BY", raising=False)


def copy_of_repo(source: Path, target: Path, *paths: str) -> Path:
    """`target` as a fresh git repo on `main` holding `source`'s committed HEAD (only `paths`, if given)
    in one commit."""
    archive = subprocess.run(
        ["git", "-C", str(source), "archive", "--format=tar", "HEAD", *paths], capture_output=True, check=True
    ).stdout
    target.mkdir(parents=True)
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(target, filter="data")
    git(target, "init", "-q", "-b", "main")
    git(target, "add", "-A")
    git(target, "commit", "-q", "-m", "Initial import")
    return target


def state_of(repo: Path) -> dict:
    """Everything a failed promotion must leave exactly as it was."""
    return {
        "refs": git(repo, "for-each-ref", "--format=%(refname) %(objectname)"),
        "head": git(repo, "symbolic-ref", "-q", "HEAD"),
        "status": git(repo, "status", "--porcelain", "--untracked-files=all"),
        "files": {p: (repo / p).read_bytes() for p in git(repo, "ls-files", "environments").split()},
    }
