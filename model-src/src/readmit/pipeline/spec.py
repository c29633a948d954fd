"""Load a Pipeline and its Tasks: schema-check them against the Tekton CRD schemas first (a misspelt field
fails there), then refuse, naming file and field, anything the local runner does not implement.

A `taskRef` resolves to `<tasks dir>/<name>/<version>/<name>.yaml` (the catalog layout); with several
version folders the highest wins. Remote resolvers, custom tasks, matrix, CEL `when`, object params and
array results are refused rather than ignored.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import yaml

from readmit import paths
from readmit.errors import InputError
from readmit.manifests.problems import field_path
from readmit.manifests.validate import validate

# Annotations a Task uses to say how it runs without a container runtime (documented in tekton/README.md).
FALLBACK = "readmit.io/local-fallback"
FALLBACK_REASON = "readmit.io/local-fallback-reason"
FALLBACK_RESULTS = "readmit.io/local-fallback-results"

# Fields the runner implements or that have no effect on one machine (image, resources, security context:
# the step runs in the project's environment). Anything else is an error naming the field.
_SUPPORTED = {
    "pipeline": {"description", "displayName", "params", "workspaces", "tasks", "finally", "results"},
    "pipelineTask": {
        "name",
        "displayName",
        "description",
        "taskRef",
        "taskSpec",
        "params",
        "workspaces",
        "runAfter",
        "when",
        "timeout",
        "retries",
    },
    "taskRef": {"name", "kind", "apiVersion"},
    "when": {"input", "operator", "values"},
    "paramSpec": {"name", "type", "description", "default"},
    "param": {"name", "value"},
    "pipelineWorkspace": {"name", "description", "optional"},
    "taskWorkspaceBinding": {"name", "workspace", "subPath"},
    "pipelineResult": {"name", "description", "type", "value"},
    "task": {"description", "displayName", "params", "workspaces", "results", "steps", "stepTemplate"},
    "embeddedTask": {
        "metadata",
        "description",
        "displayName",
        "params",
        "workspaces",
        "results",
        "steps",
        "stepTemplate",
    },
    "embeddedMetadata": {"labels", "annotations"},
    "taskWorkspace": {"name", "description", "mountPath", "readOnly", "optional"},
    "taskResult": {"name", "description", "type"},
    "step": {
        "name",
        "image",
        "imagePullPolicy",
        "script",
        "command",
        "args",
        "env",
        "workingDir",
        "computeResources",
        "securityContext",
        "timeout",
        "onError",
    },
    "stepTemplate": {"image", "env", "computeResources", "securityContext", "workingDir"},
    "env": {"name", "value"},
}


@dataclass(frozen=True)
class Task:
    """A Task's spec with where it came from (for error messages) and its annotations."""

    name: str
    file: str
    where: str  # field path of the spec inside `file`
    spec: dict
    annotations: dict = field(default_factory=dict)
    embedded: bool = False

    def param_specs(self) -> list[dict]:
        return list(self.spec.get("params") or [])

    def result_names(self) -> list[str]:
        return [r["name"] for r in self.spec.get("results") or []]

    def workspace_specs(self) -> list[dict]:
        return list(self.spec.get("workspaces") or [])


@dataclass(frozen=True)
class PipelineTask:
    name: str
    where: str  # e.g. spec.tasks[3]
    raw: dict
    task: Task
    is_finally: bool = False

    @property
    def run_after(self) -> list[str]:
        return list(self.raw.get("runAfter") or [])

    @property
    def when(self) -> list[dict]:
        return list(self.raw.get("when") or [])

    @property
    def params(self) -> list[dict]:
        return list(self.raw.get("params") or [])


@dataclass(frozen=True)
class Pipeline:
    name: str
    file: str
    spec: dict
    tasks: list[PipelineTask]
    finally_tasks: list[PipelineTask]

    @property
    def params(self) -> list[dict]:
        return list(self.spec.get("params") or [])

    @property
    def workspaces(self) -> list[dict]:
        return list(self.spec.get("workspaces") or [])

    @property
    def results(self) -> list[dict]:
        return list(self.spec.get("results") or [])

    def all_tasks(self) -> list[PipelineTask]:
        return [*self.tasks, *self.finally_tasks]


def load_pipeline(path: Path, tasks_dir: Path | None = None) -> Pipeline:
    path = Path(path)
    obj = _load_one(path, "Pipeline")
    label = str(path)
    spec = obj.get("spec") or {}
    _check_fields(spec, "pipeline", label, "spec")
    tasks_dir = tasks_dir or default_tasks_dir(path)
    loaded: dict[str, Task] = {}
    out: dict[str, list[PipelineTask]] = {"tasks": [], "finally": []}
    for section in ("tasks", "finally"):
        for i, raw in enumerate(spec.get(section) or []):
            where = f"spec.{section}[{i}]"
            _check_pipeline_task(raw, label, where)
            task = _resolve(raw, label, where, tasks_dir, loaded)
            out[section].append(PipelineTask(raw["name"], where, raw, task, section == "finally"))
    for i, p in enumerate(spec.get("params") or []):
        _check_param_spec(p, label, f"spec.params[{i}]")
    for i, w in enumerate(spec.get("workspaces") or []):
        _check_fields(w, "pipelineWorkspace", label, f"spec.workspaces[{i}]")
    for i, r in enumerate(spec.get("results") or []):
        _check_fields(r, "pipelineResult", label, f"spec.results[{i}]")
        if r.get("type", "string") != "string":
            _unsupported(label, f"spec.results[{i}].type", f"result type {r['type']!r} (only string)")
    name = (obj.get("metadata") or {}).get("name") or path.stem
    return Pipeline(name, label, spec, out["tasks"], out["finally"])


def default_tasks_dir(pipeline_file: Path) -> Path:
    """The `tasks/` folder of the tekton tree the pipeline lives in, else `<repo>/tekton/tasks`."""
    for parent in Path(pipeline_file).resolve().parents:
        if parent.name == "tekton" and (parent / "tasks").is_dir():
            return parent / "tasks"
    return paths.repo_root() / "tekton" / "tasks"


def task_file(tasks_dir: Path, name: str) -> Path | None:
    """`<tasks_dir>/<name>/<highest version>/<name>.yaml`, or None."""
    versions = [p for p in (tasks_dir / name).glob(f"*/{name}.yaml") if p.is_file()]
    if not versions:
        return None
    return max(versions, key=lambda p: _version_key(p.parent.name))


def load_task_file(path: Path) -> Task:
    obj = _load_one(path, "Task")
    meta = obj.get("metadata") or {}
    task = Task(
        meta.get("name") or path.stem, str(path), "spec", obj.get("spec") or {}, meta.get("annotations") or {}
    )
    _check_task_spec(task, "task")
    return task


def _version_key(name: str) -> tuple:
    return tuple(int(p) if p.isdigit() else p for p in name.split("."))


def _load_one(path: Path, kind: str) -> dict:
    if not path.is_file():
        raise InputError(
            f"{path}: no such file; pass the {kind} YAML (e.g. tekton/pipelines/<name>/<v>/<name>.yaml)"
        )
    try:
        docs = [d for d in yaml.safe_load_all(path.read_text(encoding="utf-8")) if d is not None]
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise InputError(
            f"{path}{f':{mark.line + 1}' if mark else ''}: not valid YAML; fix the syntax"
        ) from exc
    if len(docs) != 1 or not isinstance(docs[0], dict) or docs[0].get("kind") != kind:
        raise InputError(f"{path}: expected exactly one {kind} document (tekton.dev/v1)")
    obj = docs[0]
    if obj.get("apiVersion") != "tekton.dev/v1":
        raise InputError(f"{path}: apiVersion: {obj.get('apiVersion')!r} is not supported; use tekton.dev/v1")
    crd_dir = paths.crd_schemas()
    if not crd_dir.is_dir():
        raise InputError(
            f"{crd_dir}: Tekton CRD schemas not found; set READMIT_CRD_SCHEMAS to the crd-schemas folder"
        )
    problems = validate(obj, crd_dir)
    if problems:
        where, message = problems[0]
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        raise InputError(f"{path}: {where}: {message}{more}; fix it to match the tekton.dev/v1 {kind} schema")
    return obj


def _unsupported(file: str, where: str, what: str) -> None:
    raise InputError(
        f"{file}: {where}: {what} is not supported by the local runner; see tekton/README.md (local runner)"
    )


def _check_fields(obj: dict, kind: str, file: str, where: str) -> None:
    for key in obj:
        if key not in _SUPPORTED[kind]:
            _unsupported(file, field_path([*where.split("."), key]) if where else key, f"field {key!r}")


def _check_param_spec(p: dict, file: str, where: str) -> None:
    _check_fields(p, "paramSpec", file, where)
    if p.get("type", "string") not in ("string", "array"):
        _unsupported(file, f"{where}.type", f"param type {p['type']!r} (string and array only)")


def _check_pipeline_task(raw: dict, file: str, where: str) -> None:
    if "matrix" in raw:
        _unsupported(file, f"{where}.matrix", "matrix")
    if "pipelineRef" in raw or "pipelineSpec" in raw:
        _unsupported(file, f"{where}.pipelineRef", "pipelines in pipelines")
    _check_fields(raw, "pipelineTask", file, where)
    for i, w in enumerate(raw.get("when") or []):
        if "cel" in w:
            _unsupported(file, f"{where}.when[{i}].cel", "a CEL when expression")
        _check_fields(w, "when", file, f"{where}.when[{i}]")
        if w.get("operator") not in ("in", "notin"):
            _unsupported(file, f"{where}.when[{i}].operator", f"operator {w.get('operator')!r}")
    for i, p in enumerate(raw.get("params") or []):
        _check_fields(p, "param", file, f"{where}.params[{i}]")
    for i, w in enumerate(raw.get("workspaces") or []):
        _check_fields(w, "taskWorkspaceBinding", file, f"{where}.workspaces[{i}]")


def _resolve(raw: dict, file: str, where: str, tasks_dir: Path, loaded: dict[str, Task]) -> Task:
    if raw.get("taskSpec") and raw.get("taskRef"):
        raise InputError(f"{file}: {where}: set taskRef or taskSpec, not both")
    if raw.get("taskSpec"):
        spec = dict(raw["taskSpec"])
        meta = spec.pop("metadata", None) or {}
        task = Task(
            raw["name"], file, f"{where}.taskSpec", spec, meta.get("annotations") or {}, embedded=True
        )
        _check_fields(meta, "embeddedMetadata", file, f"{where}.taskSpec.metadata")
        _check_task_spec(task, "embeddedTask")
        return task
    ref = raw.get("taskRef") or {}
    if "resolver" in ref or "params" in ref:
        _unsupported(
            file, f"{where}.taskRef.resolver", "a remote resolver (install the Task under tekton/tasks)"
        )
    _check_fields(ref, "taskRef", file, f"{where}.taskRef")
    if ref.get("kind", "Task") != "Task":
        _unsupported(file, f"{where}.taskRef.kind", f"kind {ref['kind']!r} (only Task)")
    name = ref.get("name")
    if not name:
        raise InputError(f"{file}: {where}: needs taskRef.name or taskSpec")
    if name not in loaded:
        found = task_file(tasks_dir, name)
        if found is None:
            raise InputError(
                f"{file}: {where}.taskRef.name: Task {name!r} not found as "
                f"{tasks_dir}/{name}/<version>/{name}.yaml"
            )
        loaded[name] = load_task_file(found)
    return loaded[name]


def _check_task_spec(task: Task, kind: str) -> None:
    spec, file, where = task.spec, task.file, task.where
    for bad in ("sidecars", "volumes", "stepActions"):
        if bad in spec:
            _unsupported(file, f"{where}.{bad}", f"field {bad!r}")
    _check_fields(spec, kind, file, where)
    for i, p in enumerate(spec.get("params") or []):
        _check_param_spec(p, file, f"{where}.params[{i}]")
    for i, w in enumerate(spec.get("workspaces") or []):
        _check_fields(w, "taskWorkspace", file, f"{where}.workspaces[{i}]")
    for i, r in enumerate(spec.get("results") or []):
        _check_fields(r, "taskResult", file, f"{where}.results[{i}]")
        if r.get("type", "string") != "string":
            _unsupported(file, f"{where}.results[{i}].type", f"result type {r['type']!r} (only string)")
    template = spec.get("stepTemplate") or {}
    _check_fields(template, "stepTemplate", file, f"{where}.stepTemplate")
    for i, e in enumerate(template.get("env") or []):
        _check_fields(e, "env", file, f"{where}.stepTemplate.env[{i}]")
    for i, step in enumerate(spec.get("steps") or []):
        s_where = f"{where}.steps[{i}]"
        if "ref" in step:
            _unsupported(file, f"{s_where}.ref", "a StepAction reference")
        _check_fields(step, "step", file, s_where)
        for j, e in enumerate(step.get("env") or []):
            if "valueFrom" in e:
                _unsupported(file, f"{s_where}.env[{j}].valueFrom", "env valueFrom (use a workspace)")
            _check_fields(e, "env", file, f"{s_where}.env[{j}]")
        if step.get("onError", "stopAndFail") not in ("continue", "stopAndFail"):
            _unsupported(file, f"{s_where}.onError", f"onError {step['onError']!r}")
        if "script" not in step and "command" not in step:
            _unsupported(file, s_where, "a step without script or command (the image's entrypoint)")
    mode = task.annotations.get(FALLBACK)
    if mode is not None:
        _fallback_steps(task)  # validates the annotation


def fallback_mode(task: Task) -> tuple[str, list[str]] | None:
    """None (runs as written), ("skip", []) or ("steps", [names run locally])."""
    if FALLBACK not in task.annotations:
        return None
    return _fallback_steps(task)


def _fallback_steps(task: Task) -> tuple[str, list[str]]:
    value = str(task.annotations[FALLBACK]).strip()
    where = f"{task.where.rsplit('.', 1)[0] if task.embedded else 'metadata'}.annotations[{FALLBACK}]"
    if not task.annotations.get(FALLBACK_REASON):
        raise InputError(f"{task.file}: {where}: needs {FALLBACK_REASON} saying why it cannot run locally")
    if value == "skip":
        return "skip", []
    if value.startswith("steps="):
        names = [n.strip() for n in value.removeprefix("steps=").split(",") if n.strip()]
        known = {s.get("name") for s in task.spec.get("steps") or []}
        unknown = [n for n in names if n not in known]
        if unknown or not names:
            raise InputError(
                f"{task.file}: {where}: unknown step(s) {unknown or '(none)'}; name steps of this Task"
            )
        return "steps", names
    raise InputError(f"{task.file}: {where}: {value!r} is neither 'skip' nor 'steps=<step>,...'")
