"""Read a FHIR Bulk Data export: `.ndjson` or `.ndjson.gz` files, one resource type each.

Errors name the file and line, because a 2 GB export with one bad line is otherwise hopeless.
"""

from __future__ import annotations

import gzip
import json
import zlib
from collections.abc import Iterator
from pathlib import Path

from readmit.errors import InputError

SUFFIXES = (".ndjson", ".ndjson.gz")


def export_files(directory: Path) -> dict[str, list[Path]]:
    """resourceType (from the file name, e.g. `Patient.000.ndjson.gz`) -> its files, sorted."""
    directory = Path(directory)
    if not directory.is_dir():
        raise InputError(f"{directory}: not a directory; pass the folder of a FHIR Bulk Data export")
    files: dict[str, list[Path]] = {}
    for path in sorted(directory.iterdir()):
        if path.is_file() and path.name.endswith(SUFFIXES) and path.name != "log.ndjson":
            files.setdefault(path.name.split(".")[0], []).append(path)
    if not files:
        raise InputError(f"{directory}: no .ndjson or .ndjson.gz files; pass a FHIR Bulk Data export folder")
    return files


def _lines(path: Path) -> Iterator[bytes]:
    opener = gzip.open if path.name.endswith(".gz") else open
    try:
        with opener(path, "rb") as fh:
            yield from fh
    except (OSError, EOFError, zlib.error) as exc:
        raise InputError(f"{path}: unreadable ({type(exc).__name__}); check the file is complete") from None


def _not_json(constant: str):
    raise ValueError(f"{constant} is not a JSON number")


def read_resources(path: Path, expected_type: str) -> Iterator[tuple[int, dict]]:
    """Yield (line number, resource) for every non-blank line; bad lines raise InputError."""
    for lineno, raw in enumerate(_lines(Path(path)), start=1):
        if not raw.strip():
            continue
        try:
            # str input skips json's encoding sniffing; NaN/Infinity are not JSON (Python's parser takes them)
            resource = json.loads(raw.decode("utf-8"), parse_constant=_not_json)
        except (ValueError, UnicodeDecodeError, RecursionError) as exc:
            raise InputError(
                f"{path}:{lineno}: not valid JSON ({exc.__class__.__name__}); "
                "each line must be one FHIR resource"
            ) from None
        if not isinstance(resource, dict) or "resourceType" not in resource:
            raise InputError(f"{path}:{lineno}: missing resourceType; each line must be one FHIR resource")
        if resource["resourceType"] != expected_type:
            raise InputError(
                f"{path}:{lineno}: unexpected resourceType {str(resource['resourceType'])[:40]!r}; "
                f"a {expected_type}.*.ndjson file holds only {expected_type} resources"
            )
        yield lineno, resource
