"""Read the Katib Experiment (apps/katib/readmission-tuning.yaml): the one definition of the search space."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from readmit.errors import InputError

SAMPLERS = {"tpe": "tpe", "multivariate-tpe": "tpe", "random": "random"}


@dataclass
class Experiment:
    objective: str
    direction: str
    algorithm: str
    seed: int
    max_trials: int
    space: list[dict]
    fixed: dict[str, str] = field(default_factory=dict)
    subsample: int | None = None


def _trial_args(spec: dict) -> list[str]:
    template = spec.get("trialTemplate", {})
    pod = template.get("trialSpec", {}).get("spec", {}).get("template", {}).get("spec", {})
    name = template.get("primaryContainerName")
    for container in pod.get("containers", []):
        if container.get("name") == name:
            return [str(a) for a in container.get("command", []) + container.get("args", [])]
    return []


def load(path: Path) -> Experiment:
    try:
        doc = yaml.safe_load(Path(path).read_text())
    except (OSError, yaml.YAMLError) as exc:
        raise InputError(
            f"{path}: unreadable Katib Experiment ({type(exc).__name__}); "
            "point --experiment at apps/katib/readmission-tuning.yaml"
        ) from exc
    if not isinstance(doc, dict) or doc.get("kind") != "Experiment":
        raise InputError(f"{path}:1: not a kubeflow.org Experiment (kind: Experiment expected)")
    spec = doc.get("spec", {})
    algorithm = spec.get("algorithm", {}).get("algorithmName", "")
    if algorithm not in SAMPLERS:
        raise InputError(
            f"{path}: algorithmName {algorithm!r} has no local equivalent; use {', '.join(sorted(SAMPLERS))}"
        )
    settings = {
        s.get("name"): s.get("value") for s in spec.get("algorithm", {}).get("algorithmSettings") or []
    }
    fixed, subsample = {}, None
    for arg in _trial_args(spec):
        if m := re.fullmatch(r"--set=(\w+)=([^$]+)", arg):
            fixed[m.group(1)] = m.group(2)
        elif m := re.fullmatch(r"--subsample=(\d+)", arg):
            subsample = int(m.group(1))
    objective = spec.get("objective", {})
    return Experiment(
        objective=objective.get("objectiveMetricName", "val_roc_auc"),
        direction="maximize" if objective.get("type", "maximize") == "maximize" else "minimize",
        algorithm=SAMPLERS[algorithm],
        seed=int(settings.get("random_state", 0)),
        max_trials=int(spec.get("maxTrialCount", 10)),
        space=list(spec.get("parameters", [])),
        fixed=fixed,
        subsample=subsample,
    )


def _number(text: str):
    return float(text) if re.fullmatch(r"-?\d+(\.\d*)?([eE]-?\d+)?", str(text)) else text


def suggest(trial, space: list[dict]) -> dict:
    """One point of the Katib space through an Optuna trial."""
    values = {}
    for p in space:
        name, kind, feasible = p["name"], p["parameterType"], p.get("feasibleSpace", {})
        log = feasible.get("distribution") in ("logUniform", "logNormal")
        if kind == "double":
            values[name] = trial.suggest_float(name, float(feasible["min"]), float(feasible["max"]), log=log)
        elif kind == "int":
            values[name] = trial.suggest_int(name, int(feasible["min"]), int(feasible["max"]), log=log)
        elif kind in ("categorical", "discrete"):
            values[name] = _number(trial.suggest_categorical(name, [str(v) for v in feasible["list"]]))
        else:
            raise InputError(
                f"parameter {name}: parameterType {kind!r} unsupported; use double/int/categorical"
            )
    return values
