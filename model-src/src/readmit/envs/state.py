"""environments/<env>/models.yaml: the live state of one environment, and the one parse and dump of it.

The file is a header comment then PyYAML documents (sorted keys, block style): one Seldon Model per live
version and the Experiment `readmission` that splits traffic between them. With no live version the file
is the header alone. Same state in, same bytes out: no timestamps, stable order. `readmit promote` writes
it; policies, gates and the audit read it back through `parse`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import yaml

from readmit.envs import _fastread
from readmit.errors import InputError
from readmit.yaml_c import LOADER

HEADER = "# Written by readmit promote; do not edit by hand.\n"
SELDON = "mlops.seldon.io/v1alpha1"
EXPERIMENT = "readmission"
MODEL_PREFIX = "readmission-v"
MODELS_FILE = "models.yaml"


def model_name(version: int) -> str:
    return f"{MODEL_PREFIX}{version}"


def models_path(env: str) -> str:
    """The file's path relative to the repo root."""
    return f"environments/{env}/{MODELS_FILE}"


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

    @property
    def ran_full(self) -> bool:
        """One version alone at 100%."""
        return len(self.weights) == 1 and 100 in self.weights.values()


def parse(text: str, where: str = MODELS_FILE) -> EnvState:
    """Read a models.yaml; InputError naming the file when it is not what promote writes.

    The file as `dump` writes it is read by a line reader (long histories hold thousands of them);
    anything that reader does not recognise goes through the YAML parser."""
    if (fast := _fastread.read(text, HEADER)) is not None:
        return EnvState(*fast)
    try:
        docs = [d for d in yaml.load_all(text, Loader=LOADER) if d]
    except yaml.YAMLError as exc:
        raise InputError(
            f"{where}: not valid YAML ({exc.__class__.__name__}); restore it with readmit promote"
        ) from exc
    try:
        return _from_documents(docs, where)
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise InputError(
            f"{where}: not the Models and Experiment readmit promote writes ({exc.__class__.__name__}: "
            f"{exc}); restore it with readmit promote"
        ) from exc


def _from_documents(docs: list, where: str) -> EnvState:
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


def read(repo: Path, env: str) -> EnvState | None:
    """The checked-out models.yaml of `env`, or None when the overlay has none."""
    path = Path(repo) / models_path(env)
    return parse(path.read_text(), str(path)) if path.is_file() else None


def _version_of(name: str, where: str) -> int:
    if not name.startswith(MODEL_PREFIX) or not name[len(MODEL_PREFIX) :].isdigit():
        raise InputError(
            f"{where}: model name {name!r} is not readmission-v<N>; restore it with readmit promote"
        )
    return int(name[len(MODEL_PREFIX) :])


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
