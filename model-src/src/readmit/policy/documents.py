"""Turn YAML manifests into the input document every policy reads:
`{"objects": [k8s objects...], "context": {...}}` (plus `gate` for model-gates).

A YAML document of kind `PolicyInput` (apiVersion readmit.io/v1) is not an object: its other top-level
keys (`context`, `gate`) are merged into the input. Samples use it to state the facts that callers
derive from git history or the registry.
"""

from __future__ import annotations

from pathlib import Path

from readmit.envs import order
from readmit.manifests import yamlfile

POLICY_INPUT = "PolicyInput"


def from_objects(objects: list[dict], context: dict | None = None) -> dict:
    return {"objects": [o for o in objects if isinstance(o, dict)], "context": dict(context or {})}


def context(envs_in_order: list[str], ran_full: dict, env: str | None = None) -> dict:
    """The facts a policy cannot see in the objects: the environment under check (else the policies read
    the objects' `env` label), each environment's predecessor in the promotion order (so the order lives
    only in environments/order.yaml) and the versions that ran alone at 100% in each environment."""
    facts = {"previous_envs": order.previous(envs_in_order), "ran_full": ran_full}
    return facts if env is None else {"env": env, **facts}


def load(path: Path) -> dict:
    """The input document of one YAML file (read as Kubernetes reads YAML: JSON values)."""
    docs = yamlfile.load(path)
    document = from_objects([d for d in docs if not _is_policy_input(d)])
    for extra in (d for d in docs if _is_policy_input(d)):
        for key, value in extra.items():
            if key not in ("apiVersion", "kind"):
                document[key] = value
    return document


def objects(path: Path) -> list[dict]:
    """The Kubernetes objects of a file to check; a document that is not one, or a file with none but
    PolicyInput, is an input error (never a silent pass)."""
    docs = yamlfile.objects_of(path)
    for n, doc in enumerate(docs, start=1):
        if not yamlfile.is_object(doc):
            raise yamlfile.NotManifest(
                f"{path}: document {n} is a {type(doc).__name__}, not a Kubernetes object with apiVersion "
                "and kind; remove it or complete it"
            )
    found = [d for d in docs if not _is_policy_input(d)]
    if not found:
        raise yamlfile.NotManifest(f"{path}: only {POLICY_INPUT}, no Kubernetes object to check")
    return found


def _is_policy_input(doc: object) -> bool:
    return isinstance(doc, dict) and doc.get("kind") == POLICY_INPUT


def expectation(path: Path) -> str | None:
    """The message substring a denied sample must produce, from its `# expect: ...` comment."""
    for line in Path(path).read_text().splitlines():
        if line.startswith("# expect:"):
            return line.split(":", 1)[1].strip()
    return None
