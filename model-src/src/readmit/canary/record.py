"""The analysis folder's two machine-read files, written by `readmit canary analyze` and read back as the
Tekton task's results (`readmit pipeline result canary-verdict|canary-branch`): one home for their names
and keys, and light to import (no pandas, no MLflow)."""

from __future__ import annotations

import json
from pathlib import Path

from readmit.atomic import write_text
from readmit.errors import InputError

ANALYSIS = "analysis.json"  # {"decision": advance|hold|rollback|none, ...}
APPLIED = "applied.json"  # {"branch", "commit", "pushed_to"}, only when a verdict was committed
NONE = "none"  # the decision recorded when the env runs no canary


def write_analysis(folder: Path, record: dict) -> None:
    write_text(Path(folder) / ANALYSIS, json.dumps(record, indent=2, sort_keys=True, default=str) + "\n")


def write_applied(folder: Path, branch: str, commit: str, pushed_to: str | None) -> None:
    record = {"branch": branch, "commit": commit, "pushed_to": pushed_to}
    write_text(Path(folder) / APPLIED, json.dumps(record, indent=2, sort_keys=True) + "\n")


def decision(folder: Path) -> str:
    path = Path(folder) / ANALYSIS
    try:
        return str(json.loads(path.read_text(encoding="utf-8"))["decision"])
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise InputError(
            f"{path}: no canary decision; run `readmit canary analyze --out {folder}` first"
        ) from exc


def applied_branch(folder: Path) -> str:
    """The branch the verdict was committed on, or "" when nothing was applied (hold, or no canary)."""
    decision(folder)  # the analysis must exist: an absent folder is an error, not "nothing applied"
    path = Path(folder) / APPLIED
    if not path.is_file():
        return ""
    try:
        return str(json.loads(path.read_text(encoding="utf-8"))["branch"])
    except (ValueError, KeyError, TypeError) as exc:
        raise InputError(f"{path}: unreadable; re-run `readmit canary analyze --apply`") from exc
