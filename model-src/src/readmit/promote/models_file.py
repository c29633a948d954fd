"""environments/<env>/models.yaml: the one file promotion writes, read back by policies and audit.

The file is a header comment then PyYAML documents (sorted keys, block style): one Seldon Model per live
version and the Experiment `readmission` that splits traffic between them. With no live version the file
is the header alone. Same state in, same bytes out: no timestamps, stable order.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import yaml

from readmit.errors import InputError

HEADER = "# Written by readmit promote; do not edit by hand.\n"
SELDON = "mlops.seldon.io/v1alpha1"
EXPERIMENT = "readmission"
ANNOTATION_VERSION = "readmit.io/model-version"
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def model_name(version: int) -> str:
    return f"readmission-v{version}"


@dataclass(frozen=True)
class EnvState:
    """Live versions of one environment: annotations per version, traffic weights, the stable default."""

    annotations: dict[int, dict[str, str]] = field(default_factory=dict)
    weights: dict[int, int] = field(default_factory=dict)
    default: int | None = None
    mirror: int | None = None  # shadow mode: sees `mirror_percent`% of requests, answers no one
    mirror_percent: int = 0

    @property
    def canary(self) -> int | None:
        """The version sharing traffic with the default, if a canary runs."""
        others = [v for v in self.weights if v != self.default]
        return max(others) if others else None


def parse(text: str, where: str = "models.yaml") -> EnvState:
    """Read a models.yaml; InputError naming the file when it is not what promote writes."""
    try:
        docs = [d for d in yaml.load_all(text, Loader=_LOADER) if d]
    except yaml.YAMLError as exc:
        raise InputError(
            f"{where}: not valid YAML ({exc.__class__.__name__}); restore it with readmit promote"
        ) from exc
    annotations, weights, default, mirror, percent = {}, {}, None, None, 0
    for doc in docs:
        kind, name = doc.get("kind"), (doc.get("metadata") or {}).get("name", "")
        if kind == "Model":
            annotations[_version_of(name, where)] = dict(doc["metadata"].get("annotations") or {})
        elif kind == "Experiment" and name == EXPERIMENT:
            spec = doc.get("spec") or {}
            weights = {_version_of(c["name"], where): int(c["weight"]) for c in spec.get("candidates") or []}
            default = _version_of(spec["default"], where) if spec.get("default") else None
            if spec.get("mirror"):
                mirror, percent = _version_of(spec["mirror"]["name"], where), int(spec["mirror"]["percent"])
    return EnvState(annotations, weights, default, mirror, percent)


def _version_of(name: str, where: str) -> int:
    prefix = "readmission-v"
    if not name.startswith(prefix) or not name[len(prefix) :].isdigit():
        raise InputError(
            f"{where}: model name {name!r} is not readmission-v<N>; restore it with readmit promote"
        )
    return int(name[len(prefix) :])


def dump(state: EnvState) -> str:
    """The file's bytes for `state`: header, Models by version, then the Experiment."""
    if not state.weights:
        return HEADER
    docs = [_model_doc(v, state.annotations[v]) for v in sorted(state.annotations)]
    spec = {
        "candidates": [{"name": model_name(v), "weight": w} for v, w in sorted(state.weights.items())],
        "default": model_name(state.default),
        "resourceType": "model",
    }
    if state.mirror is not None:  # Seldon's ExperimentSpec.mirror {name, percent}
        spec["mirror"] = {"name": model_name(state.mirror), "percent": state.mirror_percent}
    docs.append({"apiVersion": SELDON, "kind": "Experiment", "metadata": {"name": EXPERIMENT}, "spec": spec})
    return HEADER + yaml.safe_dump_all(docs, sort_keys=True, default_flow_style=False)


def _model_doc(version: int, annotations: dict[str, str]) -> dict:
    return {
        "apiVersion": SELDON,
        "kind": "Model",
        "metadata": {"name": model_name(version), "annotations": dict(annotations)},
        "spec": {
            "requirements": ["readmit"],
            "storageUri": f"s3://readmit-models/readmission/{version}",
        },
    }
