"""Schema validation of one object: core kinds against Kubernetes 1.32 (kubernetes-validate, strict
schemas), CRD kinds against the strict JSON Schemas in `<crd dir>/<group>/<kind>_<version>.json`.

Strict means a misspelt field fails. A kind with no schema anywhere is a problem, never a pass.
Returns (field path, message) pairs; the caller adds file and kind/name.
"""

from __future__ import annotations

import functools
import json
import re
from pathlib import Path

import jsonschema
import referencing
from kubernetes_validate import utils as kv

from readmit.manifests.problems import field_path

KUBERNETES_VERSION = "1.32.0"
_EXTRA = re.compile(r"'([^']+)'")


def validate(obj: dict, crd_dir: Path) -> list[tuple[str, str]]:
    if not isinstance(obj, dict) or not obj.get("apiVersion") or not obj.get("kind"):
        return [(".", "not a Kubernetes object (apiVersion and kind are required)")]
    group, _, version = str(obj["apiVersion"]).rpartition("/")
    kind = str(obj["kind"])
    validator = _crd_validator(str(crd_dir), group, kind.lower(), version) if group else None
    if validator is None and _is_core_group(group):
        validator = _core_validator(kind, str(obj["apiVersion"]))
    if validator is None:
        return [("apiVersion", _unknown(group, kind, version, crd_dir))]
    return [p for err in validator.iter_errors(obj) for p in _describe(err)]


def _is_core_group(group: str) -> bool:
    return "." not in group or group.endswith(".k8s.io")


def _unknown(group: str, kind: str, version: str, crd_dir: Path) -> str:
    if _is_core_group(group):
        prefix = f"{group}/" if group else ""
        return f"{prefix}{version} {kind} is not a Kubernetes 1.32 kind; check apiVersion and kind"
    known = sorted(p.stem.split("_", 1)[1] for p in Path(crd_dir, group).glob(f"{kind.lower()}_*.json"))
    hint = f"known versions: {', '.join(known)}" if known else f"add its JSON schema under {crd_dir}/{group}/"
    return f"no schema for {group}/{version} {kind} ({hint})"


@functools.cache
def _crd_validator(crd_dir: str, group: str, kind: str, version: str):
    path = Path(crd_dir, group, f"{kind}_{version}.json")
    if not path.is_file():
        return None
    schema = json.loads(path.read_text(encoding="utf-8"))
    return jsonschema.Draft202012Validator(schema)


@functools.cache
def _core_validator(kind: str, api_version: str):
    # Mirrors kubernetes_validate.validate(), which stops at the first error; we want them all.
    api = re.sub(r"^([^./]*)(?:\.[^/]*)?/", r"\1-", api_version)
    schema_dir = f"kubernetes-json-schema/v{KUBERNETES_VERSION}-local-strict"
    try:
        schema = kv.schema_contents(f"{schema_dir}/{kind.lower()}-{api}.json", KUBERNETES_VERSION)
    except FileNotFoundError:
        return None
    registry = _definitions() @ (referencing.Resource.from_contents(schema) @ referencing.Registry())
    return jsonschema.Draft202012Validator(schema, registry=registry)


@functools.cache
def _definitions() -> referencing.Resource:
    """The `_definitions.json` (1.3 MB) every core kind's schema refers to: parsed once, not per kind."""
    schema_dir = f"kubernetes-json-schema/v{KUBERNETES_VERSION}-local-strict"
    return referencing.Resource.from_contents(
        kv.schema_contents(f"{schema_dir}/_definitions.json", KUBERNETES_VERSION)
    )


def _describe(err: jsonschema.ValidationError) -> list[tuple[str, str]]:
    parts = list(err.absolute_path)
    if err.validator == "additionalProperties":
        return [
            (field_path([*parts, name]), "unknown field (misspelt, or not in this apiVersion's schema)")
            for name in _EXTRA.findall(err.message.split("(", 1)[-1])
        ]
    message = err.message if len(err.message) <= 200 else err.message[:197] + "..."
    return [(field_path(parts), message)]
