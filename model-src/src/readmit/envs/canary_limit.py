"""The canary limit of an environment: the largest weight a version that has not yet run alone in the
previous environment may get there (policies/seldon-rollout enforces it).

It is the annotation `provenance.CANARY_LIMIT` on the environment's Namespace, which every render has (also
before any version is live), set in `environments/<env>/readmission-values.yaml` by a strategic-merge patch
keyed by the Namespace's name. Not on the Server: Seldon's operator copies a Server's annotations into its
pod template, so a new limit there would restart every inference pod.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from readmit.envs.provenance import CANARY_LIMIT
from readmit.errors import InputError
from readmit.yaml_c import LOADER

VALUES_FILE = "readmission-values.yaml"


def _namespace(doc: object) -> bool:
    return isinstance(doc, dict) and doc.get("apiVersion") == "v1" and doc.get("kind") == "Namespace"


def _annotation(doc: dict) -> object:
    return ((doc.get("metadata") or {}).get("annotations") or {}).get(CANARY_LIMIT)


def _whole(value: object, where: str) -> int:
    text = str(value).strip()
    if not text.isdigit() or int(text) > 100:
        raise InputError(
            f"{where}: annotation {CANARY_LIMIT} is {value!r}, not a whole number from 0 to 100; "
            f"fix it in the environment's {VALUES_FILE}"
        )
    return int(text)


def rendered(objects: list[dict], namespace: str | None, where: str) -> int:
    """The limit on the rendered Namespace `namespace` (that of the Experiment); 0 without one, as the
    policy reads it."""
    for doc in objects:
        if _namespace(doc) and (doc.get("metadata") or {}).get("name") == namespace:
            value = _annotation(doc)
            return 0 if value is None else _whole(value, f"{where}: Namespace/{namespace}")
    return 0


def from_values(repo: Path, env: str) -> int | None:
    """The limit that `environments/<env>/readmission-values.yaml` sets, read without rendering; None when
    the file or the annotation is missing."""
    path = Path(repo) / "environments" / env / VALUES_FILE
    if not path.is_file():
        return None
    try:
        docs = list(yaml.load_all(path.read_text(encoding="utf-8"), Loader=LOADER))
    except yaml.YAMLError as exc:
        raise InputError(f"{path}: not valid YAML ({exc.__class__.__name__}); fix the file") from exc
    found = [v for d in docs if _namespace(d) and (v := _annotation(d)) is not None]
    return _whole(found[0], str(path)) if found else None
