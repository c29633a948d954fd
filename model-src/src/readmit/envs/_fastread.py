"""The private fast path of `state.parse`: models.yaml exactly as `state.dump` writes it.

It accepts only the line shapes `dump` produces and returns None for anything else (a hand edit, a
double-quoted value, an unknown key), so `parse` falls back to the YAML parser: never a wrong answer,
only a slower one.
"""

from __future__ import annotations

import re

_KEY_VALUE = re.compile(r"^(\s*)(- )?([A-Za-z0-9./_-]+): ?(.*)$")
_PLAIN = re.compile(r"^[A-Za-z0-9=,.:/_-]*$")
_VERSION = re.compile(r"^readmission-v(\d+)$")

State = tuple[dict[int, dict[str, str]], dict[int, int], int | None]


def _scalar(raw: str) -> str | None:
    if raw.startswith("'") and raw.endswith("'") and len(raw) >= 2:
        return raw[1:-1].replace("''", "'")
    return raw if _PLAIN.match(raw) and raw not in ("", "null", "~", "true", "false") else None


def read(text: str, header: str) -> State | None:
    """(annotations, weights, default) of a file that starts with `header`, or None when unsure."""
    if not text.startswith(header):
        return None
    body = text[len(header) :]
    if not body:
        return {}, {}, None
    annotations: dict[int, dict[str, str]] = {}
    weights: dict[int, int] = {}
    default = None
    for doc in body.split("---\n"):
        lines = doc.splitlines()
        kind = next((ln[6:] for ln in lines if ln.startswith("kind: ")), None)
        notes, name, candidate = {}, None, None
        for line in lines:
            m = _KEY_VALUE.match(line)
            if not m:
                if line in ("  - readmit",):
                    continue
                return None
            indent, dash, key, raw = len(m.group(1)), m.group(2), m.group(3), m.group(4)
            if raw == "":
                continue  # a mapping or list opener
            value = _scalar(raw)
            if value is None:
                return None
            if indent == 4 and not dash:
                if kind == "Model":
                    notes[key] = value
                elif key == "weight" and candidate is not None and value.isdigit():
                    weights[candidate] = int(value)
                else:
                    return None
            elif indent == 2 and key == "name" and not dash:
                name = value
            elif indent == 2 and dash and key == "name":
                candidate = _version(value)
            elif indent == 2 and key == "default":
                default = _version(value)
        if kind == "Model" and name and _version(name) is not None:
            annotations[_version(name)] = notes
        elif kind != "Experiment" or name != "readmission":
            return None
    if None in weights or (weights and default is None):
        return None
    return annotations, weights, default


def _version(name: str) -> int | None:
    m = _VERSION.match(name)
    return int(m.group(1)) if m else None
