"""The Lua health checks of clusters/argocd/argocd-cm.yaml, run the way Argo CD runs them, against the status
Seldon Core 2 writes in each state a Server, Model or Experiment can be in.

Argo CD (util/lua/lua.go, v3.5.1) runs a health script in gopher-lua (Lua 5.1) with only the base, table,
package and a "safe" os library open (the standard libraries stay closed unless
`resource.customizations.useOpenLibs.<group>_<kind>` is set), converts the object to a Lua table
(`decodeValue`: maps to hash tables, lists to array tables), and JSON-encodes the returned table into a
health status, turning an unknown status code into Unknown. The runtime here is lupa's Lua 5.1 with the same
libraries removed, including the string metatable that `("x"):find()` would need.

Statuses are built the way Seldon's operator builds them (SeldonIO/seldon-core v2,
operator/apis/mlops/v1alpha1, operator/scheduler/{model,experiment}.go,
operator/controllers/mlops/*_controller.go): every kind has a knative "living" condition set whose
`Ready` condition follows its dependents.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import lupa.lua51
import pytest
import yaml

VALID_CODES = {"Healthy", "Progressing", "Degraded", "Suspended", "Missing", "Unknown"}
KEY = "resource.customizations.health.mlops.seldon.io_{}"

# What Argo CD's VM does not open (lua.go runLuaWithResourceActionParameters). The string metatable goes
# first, while `debug` is still there: gopher-lua sets it only when the string library is opened.
CLOSE_LIBRARIES = """
debug.setmetatable("", nil)
string, math, io, debug, coroutine, os = nil, nil, nil, nil, nil, nil
"""


@pytest.fixture(scope="module")
def scripts(repo_root: Path) -> dict[str, str]:
    (cm,) = [d for d in yaml.safe_load_all((repo_root / "clusters/argocd/argocd-cm.yaml").read_text()) if d]
    return {kind: cm["data"][KEY.format(kind)] for kind in ("Model", "Experiment", "Server")}


def _to_lua(lua, value):
    """Argo CD's decodeValue: maps to hash tables, lists to array tables, scalars as they are."""
    if isinstance(value, dict):
        table = lua.table()
        for key, item in value.items():
            table[key] = _to_lua(lua, item)
        return table
    if isinstance(value, list):
        table = lua.table()
        for index, item in enumerate(value, start=1):
            table[index] = _to_lua(lua, item)
        return table
    return value


def _from_lua(value):
    if lupa.lua51.lua_type(value) == "table":
        return {key: _from_lua(item) for key, item in value.items()}
    return value


def health(script: str, obj: dict) -> dict:
    lua = lupa.lua51.LuaRuntime(register_eval=False)
    lua.execute(CLOSE_LIBRARIES)
    lua.globals().obj = _to_lua(lua, obj)
    result = _from_lua(lua.execute(script))
    status = json.loads(json.dumps(result))  # Argo CD JSON-encodes the table into a HealthStatus
    if status.get("status") not in VALID_CODES:
        return {"status": "Unknown", "message": "invalid health status"}
    return status


@dataclass
class Conditions:
    """knative.dev/pkg/apis living condition set: a dependent turning False turns Ready False with the same
    reason and message; Ready turns True once every dependent is True; other types touch only themselves."""

    dependents: tuple[str, ...]
    items: dict[str, dict] = field(default_factory=dict)
    clock: int = 0

    def mark(self, kind: str, status: str, reason: str = "", message: str = "") -> Conditions:
        self.clock += 1
        self._set(kind, status, reason, message)
        if kind in self.dependents:
            if status == "False":
                self._set("Ready", "False", reason, message)
            elif status == "True" and all(
                self.items.get(d, {}).get("status") == "True" for d in self.dependents
            ):
                self._set("Ready", "True", reason, message)
            elif status == "Unknown" and self.items.get("Ready", {}).get("status") != "False":
                self._set("Ready", "Unknown", reason, message)
        return self

    def _set(self, kind: str, status: str, reason: str, message: str) -> None:
        condition = {
            "type": kind,
            "status": status,
            "lastTransitionTime": f"2026-11-30T11:{self.clock:02d}:00Z",
        }
        condition.update({k: v for k, v in (("reason", reason), ("message", message)) if v})
        if kind not in (*self.dependents, "Ready"):
            condition["severity"] = "Info"
        self.items[kind] = condition

    def as_list(self) -> list[dict]:
        return [self.items[k] for k in sorted(self.items)]


def model(conditions: Conditions | None, available: int = 0) -> dict:
    obj = {
        "apiVersion": "mlops.seldon.io/v1alpha1",
        "kind": "Model",
        "metadata": {"name": "readmission-v3", "namespace": "readmission-dev"},
        "spec": {
            "storageUri": "s3://readmit-models/readmission/3",
            "server": "readmission",
            "requirements": ["readmit"],
        },
    }
    if conditions is not None:
        obj["status"] = {"conditions": conditions.as_list(), "replicas": 1, "availableReplicas": available}
    return obj


def model_state(state: str, ready: bool = False, reason: str = "") -> Conditions:
    """operator/scheduler/model.go setModelStatus: CreateAndSetCondition(ModelReady, ready, message=state,
    reason=the scheduler's reason)."""
    return Conditions(("ModelReady",)).mark("ModelReady", "True" if ready else "False", reason, state)


def experiment(conditions: Conditions | None) -> dict:
    obj = {
        "apiVersion": "mlops.seldon.io/v1alpha1",
        "kind": "Experiment",
        "metadata": {"name": "readmission", "namespace": "readmission-dev"},
        "spec": {
            "default": "readmission-v2",
            "resourceType": "model",
            "candidates": [
                {"name": "readmission-v2", "weight": 90},
                {"name": "readmission-v3", "weight": 10},
            ],
        },
    }
    if conditions is not None:
        obj["status"] = {"conditions": conditions.as_list()}
    return obj


def scheduler_event(
    active: bool, description: str, candidates: bool, mirror: bool = True, on=None
) -> Conditions:
    """operator/scheduler/experiment.go: ExperimentReady, CandidatesReady and MirrorReady, in that order."""
    c = on or Conditions(("ExperimentReady", "CandidatesReady", "MirrorReady"))
    c.mark("ExperimentReady", "True" if active else "False", description)
    c.mark(
        "CandidatesReady",
        "True" if candidates else "False",
        "Candidates ready" if candidates else "Candidates not ready",
    )
    c.mark("MirrorReady", "True" if mirror else "False", "Mirror ready" if mirror else "Mirror not ready")
    return c


def operator_error(message: str, on=None) -> Conditions:
    """operator/controllers/mlops/experiment_controller.go updateStatusFromError: ModelReady False, reason the
    error, a type outside the Experiment's condition set."""
    c = on or Conditions(("ExperimentReady", "CandidatesReady", "MirrorReady"))
    return c.mark("ModelReady", "False", message)


def server(conditions: Conditions | None, loaded: int = 0) -> dict:
    obj = {
        "apiVersion": "mlops.seldon.io/v1alpha1",
        "kind": "Server",
        "metadata": {"name": "readmission", "namespace": "readmission-dev"},
        "spec": {"serverConfig": "mlserver", "replicas": 1},
    }
    if conditions is not None:
        obj["status"] = {
            "conditions": conditions.as_list(),
            "loadedModels": loaded,
            "replicas": 1,
            "selector": "x",
        }
    return obj


def server_condition(ready: bool, reason: str) -> Conditions:
    """operator/controllers/reconcilers/server/statefulset_reconciler.go GetConditions, or
    server_controller.go updateStatusFromError (reason = the error)."""
    return Conditions(("StatefulSetOrDeploymentReady",)).mark(
        "StatefulSetOrDeploymentReady", "True" if ready else "False", reason
    )


NOT_MATCHING = "StatefulSet replicas does not match desired replicas"

CASES = [
    # Model: the scheduler's states (apis/mlops/scheduler/scheduler.proto ModelStatus.ModelState).
    ("Model", "just created", model(None), "Progressing", "Waiting for the Seldon scheduler"),
    ("Model", "loading", model(model_state("ModelProgressing")), "Progressing", "ModelProgressing"),
    (
        "Model",
        "available",
        model(model_state("ModelAvailable", ready=True), available=2),
        "Healthy",
        "2 replica",
    ),
    (
        "Model",
        "no server can host it",
        model(
            model_state(
                "ScheduleFailed", reason="Failed to schedule model as no matching servers are available"
            )
        ),
        "Degraded",
        "ScheduleFailed: Failed to schedule",
    ),
    (
        "Model",
        "the server failed to load it",
        model(model_state("ModelFailed", reason="rpc error: code = Internal desc = load failed")),
        "Degraded",
        "ModelFailed: rpc error",
    ),
    (
        "Model",
        "unloading failed",
        model(model_state("ModelTerminateFailed")),
        "Degraded",
        "ModelTerminateFailed",
    ),
    (
        "Model",
        "operator error it will retry",
        model(
            model_state("ModelProgressing", reason="rpc error: code = Unavailable desc = connection refused")
        ),
        "Progressing",
        "Unavailable",
    ),
    (
        "Model",
        "operator error it gives up on",
        model(
            model_state("ModelFailed", reason="rpc error: code = FailedPrecondition desc = bad requirements")
        ),
        "Degraded",
        "FailedPrecondition",
    ),
    # Server
    ("Server", "just created", server(None), "Progressing", "Waiting for the server's replicas"),
    (
        "Server",
        "pods coming up",
        server(server_condition(False, NOT_MATCHING)),
        "Progressing",
        "does not match",
    ),
    (
        "Server",
        "ready",
        server(server_condition(True, "StatefulSet replicas matches desired replicas"), loaded=2),
        "Healthy",
        "2 model replica",
    ),
    (
        "Server",
        "reconcile failed",
        server(server_condition(False, "admission webhook denied the request: spec.podSpec is invalid")),
        "Degraded",
        "admission webhook",
    ),
    # Experiment
    ("Experiment", "just created", experiment(None), "Progressing", "Waiting for the Seldon scheduler"),
    (
        "Experiment",
        "registered, not active yet",
        experiment(scheduler_event(active=False, description="", candidates=False)),
        "Progressing",
        "Candidates not ready",
    ),
    (
        "Experiment",
        "active, a candidate still loading",
        experiment(scheduler_event(active=True, description="experiment active", candidates=False)),
        "Progressing",
        "Candidates not ready",
    ),
    (
        "Experiment",
        "active",
        experiment(scheduler_event(active=True, description="experiment active", candidates=True)),
        "Healthy",
        "Experiment active",
    ),
    (
        "Experiment",
        "the scheduler could not route it",
        experiment(
            scheduler_event(
                active=False, description="failed to add route for readmission-v3", candidates=False
            )
        ),
        "Degraded",
        "failed to add route",
    ),
    (
        "Experiment",
        "the operator could not start it",
        experiment(
            operator_error("rpc error: code = FailedPrecondition desc = candidate readmission-v9 not found")
        ),
        "Degraded",
        "candidate readmission-v9 not found",
    ),
    (
        "Experiment",
        "an operator error the scheduler has since moved past",
        experiment(
            scheduler_event(
                active=True,
                description="experiment active",
                candidates=False,
                on=operator_error("rpc error: code = Unavailable desc = connection refused"),
            )
        ),
        "Progressing",
        "Candidates not ready",
    ),
]


@pytest.mark.parametrize(
    ("kind", "state", "obj", "status", "message"), CASES, ids=[f"{c[0]}-{c[1]}" for c in CASES]
)
def test_health_check_reports_each_seldon_state(scripts, kind, state, obj, status, message):
    result = health(scripts[kind], obj)
    assert result["status"] == status, result
    assert message in result["message"], result


def test_every_kind_reaches_healthy_progressing_and_degraded():
    reached = {(kind, status) for kind, _, _, status, _ in CASES}
    assert reached == {
        (k, s) for k in ("Model", "Experiment", "Server") for s in ("Healthy", "Progressing", "Degraded")
    }


def test_the_runtime_is_as_bare_as_argo_cds(scripts):
    # The former checks called string.find, which Argo CD's VM does not open: it errors there, and here.
    with pytest.raises(lupa.lua51.LuaError):
        health('if string.find("ModelFailed", "Failed") then return {status = "Degraded"} end', model(None))
    with pytest.raises(lupa.lua51.LuaError):
        health('if ("ModelFailed"):find("Failed") then return {status = "Degraded"} end', model(None))


def test_an_unknown_status_code_becomes_unknown():
    assert health('return {status = "Broken", message = "x"}', model(None))["status"] == "Unknown"
