"""Read the history of environments/ with ONE `git log` call plus ONE `git cat-file --batch` for the
models.yaml contents, so auditing stays fast on long histories."""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from readmit.errors import InputError

_FIELDS = ["%H", "%P", "%an <%ae>", "%aI", "%cn <%ce>", "%cI", "%s", "%(trailers:unfold,only)"]
_FORMAT = "%x1e" + "%x1f".join(_FIELDS) + "%x1f"
_MODELS = re.compile(r"^environments/([^/]+)/models\.yaml$")


@dataclass(frozen=True)
class Commit:
    sha: str
    parents: tuple[str, ...]
    author: str
    authored: str
    committer: str
    committed: str
    subject: str
    trailers: dict[str, str]
    files: tuple[str, ...]
    models: dict[str, str | None] = field(default_factory=dict)  # env -> models.yaml text (None: deleted)

    @property
    def is_merge(self) -> bool:
        return len(self.parents) > 1


def git(repo: Path, *args: str, stdin: str | None = None, check: bool = True) -> str:
    proc = subprocess.run(
        ["git", "-C", str(repo), *args], input=stdin, capture_output=True, text=True, check=False
    )
    if check and proc.returncode != 0:
        raise InputError(
            f"{repo}: git {args[0]} failed: {proc.stderr.strip().splitlines()[-1:]}; is it a git repository?"
        )
    return proc.stdout


def parse_trailers(block: str) -> dict[str, str]:
    """`Key: value` lines; a repeated key keeps every value, joined by '; '."""
    out: dict[str, str] = {}
    for line in block.splitlines():
        key, sep, value = line.partition(":")
        if sep and key.strip():
            k = key.strip()
            out[k] = f"{out[k]}; {value.strip()}" if k in out else value.strip()
    return out


def read_history(repo: Path, rev: str = "HEAD", since: str | None = None) -> list[Commit]:
    """Commits touching environments/, oldest first, merges included (they carry the approval), each with
    the models.yaml texts it changed."""
    args = ["log", rev, "--reverse", "--topo-order", "--full-history", f"--format={_FORMAT}", "--name-only"]
    if since:
        args.append(f"--since={since}")
    out = git(repo, *args, "--", "environments/")
    commits = [_parse_record(r) for r in out.split("\x1e") if r.strip()]
    wanted = [
        (c.sha, env) for c in commits for f in c.files if (m := _MODELS.match(f)) for env in [m.group(1)]
    ]
    texts = _cat_files(repo, [f"{sha}:environments/{env}/models.yaml" for sha, env in wanted])
    by_sha: dict[str, dict[str, str | None]] = {}
    for (sha, env), text in zip(wanted, texts, strict=True):
        by_sha.setdefault(sha, {})[env] = text
    return [Commit(**{**c.__dict__, "models": by_sha.get(c.sha, {})}) for c in commits]


def _parse_record(record: str) -> Commit:
    sha, parents, author, authored, committer, committed, subject, trailers, files = record.split("\x1f")
    return Commit(
        sha=sha.strip(),
        parents=tuple(parents.split()),
        author=author,
        authored=authored,
        committer=committer,
        committed=committed,
        subject=subject,
        trailers=parse_trailers(trailers),
        files=tuple(f for f in files.splitlines() if f.strip()),
    )


def _cat_files(repo: Path, specs: list[str]) -> list[str | None]:
    """Contents of `<rev>:<path>` objects in one `git cat-file --batch` call (None when missing)."""
    if not specs:
        return []
    proc = subprocess.run(
        ["git", "-C", str(repo), "cat-file", "--batch"],
        input="\n".join(specs).encode() + b"\n",
        capture_output=True,
        check=True,
    )
    data, pos, texts = proc.stdout, 0, []
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
