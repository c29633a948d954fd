"""What catalog Task steps write as Tekton results (`readmit pipeline result NAME --to PATH`), so a step
calls the CLI instead of parsing files in shell. Each value is short, single-line and without a trailing
newline, as `when` expressions compare it verbatim.
"""

from __future__ import annotations

import json
from pathlib import Path

from readmit import git, registry
from readmit.atomic import write_text
from readmit.canary import record
from readmit.errors import CheckFailed, InputError
from readmit.schema import MANIFEST_FILE

# Tekton's default limit for one TaskRun's results (without sidecar logs) is 4096 bytes in total.
MAX_TEXT = 3500
TRUNCATED = "\n\n[... truncated: the full text is in the workspace ...]"


def data_version(data: Path) -> str:
    manifest = Path(data) / MANIFEST_FILE
    try:
        return str(json.loads(manifest.read_text(encoding="utf-8"))["data_version"])
    except (OSError, ValueError, KeyError) as exc:
        raise InputError(
            f"{manifest}: no data_version; run `readmit data ingest --out {data}` first"
        ) from exc


def model_version(alias: str) -> str:
    version = registry.alias_version(alias)
    if version is None:
        raise CheckFailed(f"no version of {registry.MODEL_NAME!r} has alias {alias!r}; train one first")
    return str(version)


def gate(version: int, env: str, exit_code_file: Path | None) -> str:
    """passed | failed as `readmit gate` recorded it; a gate that crashed (exit not 0/1) is an error."""
    if exit_code_file is not None:
        code = _read(Path(exit_code_file), "the gate step writes its exit code there").strip()
        if code not in ("0", "1"):
            raise CheckFailed(f"readmit gate exited {code}: an error, not a gate verdict (see its log)")
    verdict = registry.version_info(version).gate_result(env)
    if verdict not in ("passed", "failed"):
        raise CheckFailed(f"version {version} has no recorded {env} gate result; run `readmit gate` first")
    return verdict


def branch(repo: Path) -> str:
    return git.current(Path(repo))


def commit(repo: Path) -> str:
    return git.run(Path(repo), "rev-parse", "HEAD").strip()


def canary_verdict(folder: Path) -> str:
    """advance | hold | rollback | none, from `readmit canary analyze --out FOLDER`."""
    return record.decision(folder)


def canary_branch(folder: Path) -> str:
    """The branch the canary verdict was committed on, or "" when nothing was applied."""
    return record.applied_branch(folder)


def text(path: Path) -> str:
    body = _read(Path(path), "pass the file an earlier step wrote")
    if len(body.encode()) <= MAX_TEXT:
        return body
    return body.encode()[: MAX_TEXT - len(TRUNCATED.encode())].decode(errors="ignore") + TRUNCATED


def _read(path: Path, fix: str) -> str:
    """A file an earlier step wrote: missing or unreadable is bad input (exit 2), not a readmit bug."""
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        why = exc.strerror if isinstance(exc, OSError) else "not UTF-8 text"
        raise InputError(f"{path}: cannot read it ({why}); {fix}") from exc


def write(to: Path, value: str) -> None:
    write_text(Path(to), value)
