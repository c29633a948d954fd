"""Force-push ("missing ancestry"), detected two ways from the audited clone: (1) a reflog entry of a
branch or remote-tracking ref whose new value does not contain its previous value (a forced fetch or
push, a reset, an amend or a rebase); (2) a head recorded by an earlier `readmit audit` of this clone (kept
in `<git-dir>/readmit-audit-heads`) that no ref reaches any more, which still works after reflogs expire.
"""

from __future__ import annotations

from pathlib import Path

from readmit import git
from readmit.atomic import write_text
from readmit.audit.anomalies import Anomaly

SEEN_HEADS = "readmit-audit-heads"
ZERO = "0" * 40


def force_pushes(repo: Path, record: bool = True) -> list[Anomaly]:
    reachable = set(git.run(repo, "rev-list", "--all").split())
    parents = {
        line.split()[0]: line.split()[1:]
        for line in git.run(repo, "rev-list", "--all", "--reflog", "--parents").splitlines()
    }
    git_dir = Path(git.run(repo, "rev-parse", "--absolute-git-dir").strip())
    out, seen = [], set()
    for ref, old, new in _reflog_moves(git_dir):
        if (ref, old) in seen or old in parents.get(new, ()) or _is_ancestor(repo, old, new):
            continue
        seen.add((ref, old))
        out.append(
            Anomaly(
                "force-push",
                "",
                new,
                f"{ref} moved from {old[:12]} to {new[:12]}, which does not "
                f"contain it: history was rewritten or force-pushed",
            )
        )
    heads_file = git_dir / SEEN_HEADS
    recorded = heads_file.read_text().split() if heads_file.exists() else []
    for sha in dict.fromkeys(recorded):
        if sha not in reachable and not any(sha[:12] in a.message for a in out):
            out.append(
                Anomaly(
                    "force-push",
                    "",
                    sha,
                    f"{sha[:12]} was a head at an earlier audit and is no "
                    "longer in the history (force-pushed)",
                )
            )
    if record:
        heads = git.run(repo, "for-each-ref", "--format=%(objectname)", "refs/heads", "refs/remotes").split()
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
    return git.succeeds(repo, "merge-base", "--is-ancestor", old, new)
