"""Turn YAML manifests into the input document every policy reads:
`{"objects": [k8s objects...], "context": {...}}` (plus `gate` for model-gates).

A YAML document of kind `PolicyInput` (apiVersion readmit.io/v1) is not an object: its other top-level
keys (`context`, `gate`) are merged into the input. Samples use it to state the facts that callers
derive from git history or the registry.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from readmit.errors import InputError

POLICY_INPUT = "PolicyInput"


def from_objects(objects: list[dict], context: dict | None = None) -> dict:
    return {"objects": [o for o in objects if isinstance(o, dict)], "context": dict(context or {})}


def load(path: Path) -> dict:
    """The input document of one YAML file."""
    try:
        docs = [d for d in yaml.safe_load_all(Path(path).read_text()) if d is not None]
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f":{mark.line + 1}" if mark else ""
        raise InputError(f"{path}{line}: not valid YAML; fix the syntax") from exc
    document = from_objects([d for d in docs if d.get("kind") != POLICY_INPUT])
    for extra in (d for d in docs if d.get("kind") == POLICY_INPUT):
        for key, value in extra.items():
            if key not in ("apiVersion", "kind"):
                document[key] = value
    return document


def expectation(path: Path) -> str | None:
    """The message substring a denied sample must produce, from its `# expect: ...` comment."""
    for line in Path(path).read_text().splitlines():
        if line.startswith("# expect:"):
            return line.split(":", 1)[1].strip()
    return None
