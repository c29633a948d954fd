"""The private fast path of `state.parse`: models.yaml exactly as `state.dump` writes it.

It accepts only the line shapes `dump` produces and returns None for anything else (a hand edit, a
double-quoted value, an unknown key), so `parse` falls back to the YAML parser: never a wrong answer,
only a slower one.
"""

from __future__ import annotations

import functools
import re

_KEY_VALUE = re.compile(r"^(\s*)(- )?([A-Za-z0-9./_-]+): ?(.*)$")
_PLAIN = re.compile(r"^[A-Za-z0-9=,.:/_-]*$")
_VERSION = re.compile(r"^readmission-v(\d+)$")

State = tuple[dict[int, dict[str, str]], dict[int, int], int | None]


def _scalar(raw: str) -> str | None:
    if raw.startswith("'") and raw.endswith("'") and len(raw) >= 2:
        return raw[1:-1].replace("''", "'")
    return raw if _PLAIN.match(raw) and raw not in ("", "null", "~", "true", "false") else None


_SKIP = ()  # a line that carries no value: a mapping or list opener, or the requirements entry


@functools.lru_cache(maxsize=65536)
def _line(line: str) -> tuple[int, bool, str, str] | tuple[()] | None:
    """(indent, dash, key, value) of one line, _SKIP, or None for a shape `dump` does not write. Most
    lines recur in every file of a history (apiVersion, kind, spec keys): each is read once."""
    m = _KEY_VALUE.match(line)
    if not m:
        return _SKIP if line == "  - readmit" else None
    if m.group(4) == "":
        return _SKIP
    value = _scalar(m.group(4))
    if value is None:
        return None
    return len(m.group(1)), bool(m.group(2)), m.group(3), value


def read(text: str, header: str) -> State | None:
    """(annotations, weights, default) of a file that starts with `header`, or None when unsure."""
    if not text.startswith(header):
        return None
    body = text[len(header) :]
    if not body:
        return {}, {}, None
    annotations: dict[int, dict[str, str]] = {}
    weights: dict[int | None, int] = {}
    default = None
    for doc in body.split("---\n"):
        parsed = _experiment(doc) or _document(doc)
        if parsed is None:
            return None
        version, notes, doc_weights, doc_default = parsed
        weights.update(doc_weights)
        if doc_default is not _UNSET:
            default = doc_default
        if version is not None:
            annotations[version] = dict(notes)  # a copy: the parsed document is shared by every file
    if None in weights or (weights and default is None):
        return None
    return annotations, weights, default


_UNSET = object()
# The Experiment exactly as `dump` writes it: each file's one part seen nowhere else, so it is read with
# one match; any other shape (a mirror, an edit) goes through the line reader below.
_EXPERIMENT = re.compile(
    r"apiVersion: mlops\.seldon\.io/v1alpha1\nkind: Experiment\nmetadata:\n  name: readmission\nspec:\n"
    r"  candidates:\n((?:  - name: readmission-v[0-9]+\n    weight: [0-9]+\n)+)"
    r"  default: readmission-v([0-9]+)\n  resourceType: model\n"
)
_CANDIDATE = re.compile(r"  - name: readmission-v([0-9]+)\n    weight: ([0-9]+)\n")


def _experiment(doc: str) -> tuple[None, dict, tuple, int] | None:
    """What `_document` gives for an Experiment in `dump`'s exact shape, or None for any other text."""
    m = _EXPERIMENT.fullmatch(doc)
    if m is None:
        return None
    return None, {}, tuple((int(v), int(w)) for v, w in _CANDIDATE.findall(m.group(1))), int(m.group(2))


@functools.lru_cache(maxsize=16384)
def _document(doc: str) -> tuple[int | None, dict[str, str], tuple, object] | None:
    """(Model version or None, its annotations, the weights in order, the default or _UNSET) of one YAML
    document, or None for one `dump` does not write. A Model's document recurs in every file where its
    version is live (each env, each canary beside it): each distinct one is read once."""
    lines = doc.splitlines()
    kind = next((ln[6:] for ln in lines if ln.startswith("kind: ")), None)
    notes: dict[str, str] = {}
    weights: list[tuple[int | None, int]] = []
    name, candidate, default = None, None, _UNSET
    for line in lines:
        parsed = _line(line)
        if parsed is None:
            return None
        if parsed is _SKIP:
            continue
        indent, dash, key, value = parsed
        if indent == 4 and not dash:
            if kind == "Model":
                notes[key] = value
            elif key == "weight" and candidate is not None and value.isdigit():
                weights.append((candidate, int(value)))
            else:
                return None
        elif indent == 2 and key == "name" and not dash:
            name = value
        elif indent == 2 and dash and key == "name":
            candidate = _version(value)
        elif indent == 2 and key == "default":
            default = _version(value)
    if kind == "Model" and name and _version(name) is not None:
        return _version(name), notes, tuple(weights), default
    if kind != "Experiment" or name != "readmission":
        return None
    return None, notes, tuple(weights), default


def _version(name: str) -> int | None:
    m = _VERSION.match(name)
    return int(m.group(1)) if m else None
