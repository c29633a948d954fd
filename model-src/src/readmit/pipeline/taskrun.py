"""Run one Task on this machine: substitute its variables, run its steps in order in the project's
environment (the step's `image` is not pulled), keep each step's output in `<task dir>/<step>.log` and
read its results from `<task dir>/results/<name>`.

Like Tekton's entrypoint: a `script` without a shebang runs as `#!/bin/sh` with `set -e`; a step that
fails stops the task unless `onError: continue`; a step or task `timeout` kills its process group.
"""

from __future__ import annotations

import os
import re
import signal
import stat
import subprocess
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from readmit.errors import InputError
from readmit.pipeline import substitute
from readmit.pipeline.spec import Task

SUCCEEDED, FAILED, SKIPPED = "Succeeded", "Failed", "Skipped"
_DURATION = re.compile(r"(\d+(?:\.\d+)?)(h|ms|m|s)")
_UNIT = {"h": 3600.0, "m": 60.0, "s": 1.0, "ms": 0.001}


@dataclass
class StepOutcome:
    name: str
    status: str
    exit_code: int | None = None
    seconds: float = 0.0
    log: str = ""
    reason: str = ""


@dataclass
class TaskOutcome:
    status: str
    reason: str = ""
    results: dict[str, str] = field(default_factory=dict)
    steps: list[StepOutcome] = field(default_factory=list)
    seconds: float = 0.0
    attempts: int = 0

    @property
    def failed_step(self) -> StepOutcome | None:
        return next((s for s in self.steps if s.status == FAILED), None)


def parse_duration(text: str, file: str, where: str) -> float | None:
    """Go duration ("1h30m", "90s") in seconds; "0" means no timeout."""
    text = str(text).strip()
    if text in ("0", "0s"):
        return None
    parts = _DURATION.findall(text)
    if not parts or "".join(n + u for n, u in parts) != text:
        raise InputError(f"{file}: {where}: {text!r} is not a duration like 1h30m or 90s")
    return sum(float(n) * _UNIT[u] for n, u in parts)


class Processes:
    """The live step processes, so Ctrl-C or a timeout can stop each one with its children."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._live: set[subprocess.Popen] = set()
        self.stopping = threading.Event()

    def start(self, *args, **kwargs) -> subprocess.Popen:
        with self._lock:
            if self.stopping.is_set():
                raise KeyboardInterrupt
            proc = subprocess.Popen(*args, start_new_session=True, **kwargs)
            self._live.add(proc)
            return proc

    def done(self, proc: subprocess.Popen) -> None:
        with self._lock:
            self._live.discard(proc)

    def kill_all(self) -> None:
        with self._lock:
            self.stopping.set()
            for proc in self._live:
                kill(proc)


def kill(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=5)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


@dataclass
class TaskRun:
    """Everything one TaskRun needs; `values` holds the variables visible inside the Task."""

    name: str  # the TaskRun name, <pipelinerun>-<pipeline task>
    task: Task
    directory: Path
    values: dict
    env: dict[str, str]
    processes: Processes
    only_steps: list[str] | None = None  # a local fallback's steps; the others are skipped
    skip_reason: str = ""
    timeout: float | None = None


def task_values(
    task: Task, run: str, directory: Path, params: dict, workspaces: dict[str, Path | None]
) -> dict:
    """The variables of docs/variables.md "Variables available in a Task" that apply on one machine."""
    values: dict = {f"params.{k}": v for k, v in params.items()}
    for r in task.result_names():
        values[f"results.{r}.path"] = str(directory / "results" / r)
    for w in task.workspace_specs():
        path = workspaces.get(w["name"])
        values[f"workspaces.{w['name']}.path"] = str(path) if path else ""
        values[f"workspaces.{w['name']}.bound"] = "true" if path else "false"
        values[f"workspaces.{w['name']}.claim"] = ""
        values[f"workspaces.{w['name']}.volume"] = w["name"] if path else ""
    for i, step in enumerate(task.spec.get("steps") or []):
        key = f"step-{step['name']}" if step.get("name") else f"step-unnamed-{i}"
        values[f"steps.{key}.exitCode.path"] = str(directory / "steps" / key / "exitCode")
    values.update(
        {
            "context.taskRun.name": run,
            "context.taskRun.namespace": "local",
            "context.taskRun.uid": run,
            "context.task.name": task.name,
        }
    )
    return values


def execute(tr: TaskRun) -> TaskOutcome:
    started = time.monotonic()
    deadline = started + tr.timeout if tr.timeout else None
    (tr.directory / "results").mkdir(parents=True, exist_ok=True)
    template = tr.task.spec.get("stepTemplate") or {}
    outcome = TaskOutcome(SUCCEEDED)
    for i, step in enumerate(tr.task.spec.get("steps") or []):
        name = step.get("name") or f"unnamed-{i}"
        where = f"{tr.task.where}.steps[{i}]"
        if outcome.status == FAILED:
            outcome.steps.append(StepOutcome(name, SKIPPED, reason="an earlier step failed"))
            continue
        if tr.only_steps is not None and name not in tr.only_steps:
            outcome.steps.append(StepOutcome(name, SKIPPED, reason=tr.skip_reason))
            continue
        result = _run_step(tr, step, template, name, where, deadline)
        outcome.steps.append(result)
        if result.status == FAILED and step.get("onError") != "continue":
            outcome.status, outcome.reason = FAILED, result.reason
    outcome.results = _read_results(tr)
    outcome.seconds = time.monotonic() - started
    return outcome


def _read_results(tr: TaskRun) -> dict[str, str]:
    out = {}
    for name in tr.task.result_names():
        path = tr.directory / "results" / name
        if path.is_file():
            out[name] = path.read_text(encoding="utf-8")
    return out


def _step_env(tr: TaskRun, template: dict, step: dict, where: str) -> dict[str, str]:
    env = dict(tr.env)
    for source, prefix in ((template, f"{tr.task.where}.stepTemplate"), (step, where)):
        for j, item in enumerate(source.get("env") or []):
            env[item["name"]] = _sub(tr, str(item.get("value", "")), f"{prefix}.env[{j}].value")
    return env


def _sub(tr: TaskRun, text: str, where: str) -> str:
    try:
        return substitute.string(text, tr.values)
    except substitute.Unresolved as exc:
        raise InputError(f"{tr.task.file}: {where}: {exc}; declare it or use a supported variable") from exc


def _sub_list(tr: TaskRun, items: list, where: str) -> list[str]:
    try:
        return substitute.strings(items, tr.values)
    except substitute.Unresolved as exc:
        raise InputError(f"{tr.task.file}: {where}: {exc}; declare it or use a supported variable") from exc


def _command(tr: TaskRun, step: dict, name: str, where: str) -> list[str]:
    args = _sub_list(tr, step.get("args") or [], f"{where}.args")
    if "script" in step:
        script = _sub(tr, step["script"], f"{where}.script")
        if not script.startswith("#!"):
            script = "#!/bin/sh\nset -e\n" + script
        path = tr.directory / "scripts" / f"{name}"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(script, encoding="utf-8")
        path.chmod(stat.S_IRWXU)
        return [str(path), *args]
    return [*_sub_list(tr, step["command"], f"{where}.command"), *args]


def _run_step(
    tr: TaskRun, step: dict, template: dict, name: str, where: str, deadline: float | None
) -> StepOutcome:
    command = _command(tr, step, name, where)
    env = _step_env(tr, template, step, where)
    workdir = step.get("workingDir") or template.get("workingDir")
    cwd = Path(_sub(tr, workdir, f"{where}.workingDir")) if workdir else tr.directory
    if not cwd.is_dir():
        raise InputError(f"{tr.task.file}: {where}.workingDir: {cwd} is not a directory (bind the workspace)")
    limits = [deadline - time.monotonic()] if deadline else []
    if step.get("timeout"):
        limit = parse_duration(step["timeout"], tr.task.file, f"{where}.timeout")
        limits += [limit] if limit else []
    log = tr.directory / f"{name}.log"
    started = time.monotonic()
    with open(log, "wb") as out:
        proc = tr.processes.start(command, cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT)
        try:
            code = proc.wait(timeout=max(min(limits), 0.001) if limits else None)
            reason = "" if code == 0 else f"exit code {code}"
        except subprocess.TimeoutExpired:
            kill(proc)
            code, reason = None, "timed out"
        finally:
            tr.processes.done(proc)
    key = f"step-{step['name']}" if step.get("name") else f"step-{name}"
    exit_file = tr.directory / "steps" / key / "exitCode"
    exit_file.parent.mkdir(parents=True, exist_ok=True)
    exit_file.write_text(str(code if code is not None else -1))
    status = SUCCEEDED if code == 0 else FAILED
    return StepOutcome(name, status, code, time.monotonic() - started, str(log), reason)
