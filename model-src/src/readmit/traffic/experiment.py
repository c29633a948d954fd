"""The routing table of one rendered overlay, and the routing decision Seldon Core 2's Envoy makes.

What Seldon does (SeldonIO/seldon-core v2 @7b77f8b):
- scheduler/pkg/envoy/processor/incremental.go `addExperiment`: an Experiment gets the route
  `<name>.experiment`; with `spec.default`, `addExperimentModelBaselineTraffic` also replaces the default
  model's own route by the same split. Every other Model keeps its own route at 100%.
- scheduler/pkg/envoy/xdscache/resource.go: a route matches the `seldon-model` header exactly and has NO
  `x-seldon-route` header; its weighted clusters get `weight` each (share = weight / sum of weights,
  docs-gb/kubernetes/resources/experiment.md), and every answer carries `x-seldon-route: :<model>_<v>:`
  (`wrapRouteHeader`, `util.GetVersionedModelName`). For each candidate an extra "sticky" route matches
  the same `seldon-model` plus an `x-seldon-route` that CONTAINS `:<model>_<v>:` and goes straight to
  that candidate (no mirror). A re-sent route naming no candidate matches no route: Envoy answers 404.
- `createMirrorRouteAction`: the mirror gets `RuntimeFraction{numerator: percent, HUNDRED}` of the
  requests of the split routes; Envoy discards the mirror's answer.
- The agent loads each model version as `<model>_<version>` (the `seldon-internal-model` header);
  Seldon counts versions per Model name from 1, and our Models are immutable (`readmission-v<N>` never
  changes its storageUri), so a Model is served as `<model>_1`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from readmit.errors import InputError

MODEL_HEADER = "seldon-model"
ROUTE_HEADER = "x-seldon-route"
EXPERIMENT_SUFFIX = ".experiment"
SELDON_VERSION = 1
VERSION_ANNOTATION = "readmit.io/model-version"
_STORAGE = re.compile(r".*/(\d+)/?$")


@dataclass(frozen=True)
class Target:
    model: str  # the Seldon Model name, e.g. readmission-v3
    registered_version: int  # the MLflow registry version its storageUri holds
    weight: int = 100

    @property
    def served(self) -> str:
        """The name MLServer serves it under (Seldon's `<model>_<version>`)."""
        return f"{self.model}_{SELDON_VERSION}"

    @property
    def route(self) -> str:
        return f":{self.served}:"

    @property
    def route_bytes(self) -> bytes:
        return self.route.encode()


@dataclass(frozen=True)
class Table:
    experiment: str | None
    default: str | None
    candidates: tuple[Target, ...]
    mirror: Target | None
    mirror_percent: int
    models: dict[str, Target]

    def split_routes(self) -> frozenset[str]:
        """`seldon-model` values that the Experiment's split answers."""
        if self.experiment is None:
            return frozenset()
        return frozenset({self.experiment + EXPERIMENT_SUFFIX, *([self.default] if self.default else [])})


@dataclass(frozen=True)
class Decision:
    target: Target
    mirror: Target | None  # also send the request here, drop the answer


class NoRoute(Exception):
    """Envoy finds no route: 404 with a reason."""


def _registered_version(obj: dict) -> int:
    name = obj["metadata"]["name"]
    uri = (obj.get("spec") or {}).get("storageUri") or ""
    match = _STORAGE.fullmatch(uri)
    if not match:
        raise InputError(
            f"Model {name}: storageUri {uri!r} does not end in /<registered version>; "
            "write models.yaml with readmit promote"
        )
    version = int(match.group(1))
    noted = ((obj["metadata"].get("annotations") or {}).get(VERSION_ANNOTATION)) or str(version)
    if noted != str(version):
        raise InputError(
            f"Model {name}: annotation {VERSION_ANNOTATION}={noted} but storageUri holds version {version}; "
            "restore models.yaml with readmit promote"
        )
    return version


def table(objects: list[dict], experiment: str = "readmission") -> Table:
    """The routing table of the rendered overlay's Models and its Experiment `experiment` (if any)."""
    models = {
        o["metadata"]["name"]: Target(o["metadata"]["name"], _registered_version(o))
        for o in objects
        if o.get("kind") == "Model" and str(o.get("apiVersion", "")).startswith("mlops.seldon.io/")
    }
    exp = next(
        (o for o in objects if o.get("kind") == "Experiment" and o["metadata"]["name"] == experiment), None
    )
    if exp is None:
        return Table(None, None, (), None, 0, models)
    spec = exp.get("spec") or {}
    if spec.get("resourceType", "model") != "model":
        raise InputError(
            f"Experiment {experiment}: resourceType {spec['resourceType']!r}; only model is served"
        )

    def known(name: str, role: str) -> Target:
        if name not in models:
            raise InputError(
                f"Experiment {experiment}: {role} {name!r} is not a Model of this overlay; "
                "add the Model or fix the Experiment"
            )
        return models[name]

    candidates = tuple(
        Target(c["name"], known(c["name"], "candidate").registered_version, int(c.get("weight", 0)))
        for c in spec.get("candidates") or []
    )
    if not candidates or sum(c.weight for c in candidates) <= 0:
        raise InputError(f"Experiment {experiment}: no candidate with a positive weight")
    default = spec.get("default")
    if default is not None and default not in {c.model for c in candidates}:
        raise InputError(f"Experiment {experiment}: default {default!r} is not one of its candidates")
    mirror = spec.get("mirror") or None
    percent = int(mirror.get("percent", 100)) if mirror else 0
    return Table(
        experiment, default, candidates, known(mirror["name"], "mirror") if mirror else None, percent, models
    )


def choose(candidates: tuple[Target, ...], u: float) -> Target:
    """The candidate for a uniform draw u in [0, 1): cumulative weights, as Envoy's weighted clusters."""
    total = sum(c.weight for c in candidates)
    point, acc = u * total, 0
    for c in candidates:
        acc += c.weight
        if point < acc:
            return c
    return candidates[-1]


def decide(table: Table, seldon_model: str | None, route: str | None, u: float, u_mirror: float) -> Decision:
    """Where a request goes. `seldon_model` None (no header) means the default's endpoint, a local
    convenience: in the cluster the ingress must send the header."""
    name = seldon_model or table.default
    if name is None:
        raise NoRoute(f"no {MODEL_HEADER} header and the overlay has no Experiment default; send one")
    if name in table.split_routes():
        if route:
            for c in table.candidates:
                if c.route in route:
                    return Decision(c, None)
            raise NoRoute(f"{ROUTE_HEADER} names no candidate of Experiment {table.experiment}")
        mirror = table.mirror if table.mirror and u_mirror * 100 < table.mirror_percent else None
        return Decision(choose(table.candidates, u), mirror)
    target = table.models.get(name)
    if target is None:
        raise NoRoute(f"{MODEL_HEADER} {name!r} names no Model or Experiment of this overlay")
    if route and target.route not in route:
        raise NoRoute(f"{ROUTE_HEADER} does not name {target.served}")
    return Decision(target, None)
