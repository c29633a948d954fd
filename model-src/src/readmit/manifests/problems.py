"""One problem, one line: `<file>: <kind>/<name>: <field path>: <message>`."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Source:
    """Where an object came from: the repo-relative file (or overlay) and its kind/name."""

    file: str
    kind: str
    name: str

    @classmethod
    def of(cls, file: str, obj: object) -> Source:
        if not isinstance(obj, dict):
            return cls(file, "?", "?")
        meta = obj.get("metadata") if isinstance(obj.get("metadata"), dict) else {}
        return cls(file, str(obj.get("kind") or "?"), str(meta.get("name") or "?"))


def field_path(parts: Iterable[object]) -> str:
    """`["spec", "containers", 0, "image"]` -> `spec.containers[0].image` (`.` for the whole object)."""
    out = ""
    for part in parts:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "."


def line(source: Source, path: str, message: str) -> str:
    return f"{source.file}: {source.kind}/{source.name}: {path}: {message}"
