"""The git history of environments/, read with ONE `git log` call plus ONE `git cat-file --batch` for the
models.yaml contents, so long histories stay fast."""

from __future__ import annotations

import re
from pathlib import Path
from typing import NamedTuple

from readmit import git

_FIELDS = ["%H", "%P", "%an <%ae>", "%aI", "%cn <%ce>", "%cI", "%s", "%(trailers:unfold,only)"]
_FORMAT = "%x1e" + "%x1f".join(_FIELDS) + "%x1f"
# `--raw` line of a models.yaml change: the new blob (zeros when deleted) and the env
_MODELS = re.compile(r"^:\d+ \d+ [0-9a-f]+ ([0-9a-f]+) \w+\tenvironments/([^/]+)/models\.yaml$", re.M)
_DELETED = re.compile(r"^0+$")


class Commit(NamedTuple):
    """One commit touching environments/ (a tuple: a long history builds ten thousand of them)."""

    sha: str
    parents: tuple[str, ...]
    author: str
    authored: str
    committer: str
    committed: str
    subject: str
    trailers: dict[str, str]
    files: tuple[str, ...]
    models: dict[str, str | None] = {}  # env -> models.yaml text (None: deleted); never mutated

    @property
    def is_merge(self) -> bool:
        return len(self.parents) > 1


def parse_trailers(block: str) -> dict[str, str]:
    """`Key: value` lines; a repeated key keeps every value, joined by '; '."""
    out: dict[str, str] = {}
    for line in block.splitlines():
        key, sep, value = line.partition(":")
        if sep and key.strip():
            k = key.strip()
            out[k] = f"{out[k]}; {value.strip()}" if k in out else value.strip()
    return out


def read_log(repo: Path, rev: str = "HEAD", since: str | None = None) -> list[Commit]:
    """Commits touching environments/, oldest first, merges included (they carry the approval), each with
    the models.yaml texts it changed."""
    args = ["log", rev, "--reverse", "--topo-order", "--full-history", f"--format={_FORMAT}"]
    args += ["--raw", "--no-abbrev", "--no-renames"]
    if since:
        args.append(f"--since={since}")
    out = git.run(repo, *args, "--", "environments/")
    records = [r.split("\x1f") for r in out.split("\x1e") if r.strip()]
    changed = [_MODELS.findall(r[-1]) for r in records]
    # One cat-file for every distinct blob: a history repeats file contents (rollbacks, one version
    # promoted through every environment).
    blobs = sorted({blob for found in changed for blob, _ in found if not _DELETED.match(blob)})
    texts = dict(zip(blobs, git.cat_files(repo, blobs), strict=True))
    return [
        _commit(r, {env: texts.get(blob) for blob, env in found})
        for r, found in zip(records, changed, strict=True)
    ]


def _commit(fields: list[str], models: dict[str, str | None]) -> Commit:
    sha, parents, author, authored, committer, committed, subject, trailers, raw = fields
    return Commit(
        sha.strip(),
        tuple(parents.split()),
        author,
        authored,
        committer,
        committed,
        subject,
        parse_trailers(trailers),
        tuple(line.split("\t", 1)[1] for line in raw.splitlines() if "\t" in line),
        models,
    )
