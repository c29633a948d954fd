"""Run a Pipeline: schedule its tasks as Tekton does, on a thread pool of `--jobs` workers.

Skipping follows tektoncd/pipeline (pipelinerunresolution.go `skip()`, docs/pipelines.md "Guarding a
Task only"):
- `when` false: only that task is skipped; tasks that merely `runAfter` it still run, tasks that read
  its results are skipped ("Results were missing");
- a parent skipped for any other reason skips its children ("Parent Tasks were skipped");
- after a failure no new task starts ("PipelineRun was stopping"); running ones finish;
- `finally` tasks run after all of that, with `$(tasks.<t>.status)` and `$(tasks.status)`.
A task skipped by `--skip` or by its local-fallback annotation counts like a `when` skip.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import secrets
import shutil
import sys
import time
from collections.abc import Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path

from readmit import paths
from readmit.errors import CheckFailed, InputError
from readmit.manifests.trivy import trivy_binary
from readmit.pipeline import bind, graph, plan, spec, status, substitute, taskrun
from readmit.pipeline.taskrun import FAILED, SKIPPED, TaskOutcome
from readmit.progress import Progress, reporter

WHEN_SKIP = "When Expressions evaluated to false"
PARENT_SKIP = "Parent Tasks were skipped"
MISSING_RESULTS = "Results were missing"
STOPPING = "PipelineRun was stopping"
USER_SKIP = "skipped with --skip"
LOCAL_SKIP = "local fallback"
# Skips that do not spread to runAfter children (Tekton: only a `when` skip is scoped to its task).
_SCOPED = (WHEN_SKIP, USER_SKIP, LOCAL_SKIP)


@dataclass
class Options:
    params: dict[str, str] = field(default_factory=dict)
    workspaces: dict[str, str] = field(default_factory=dict)
    skip: list[str] = field(default_factory=list)
    jobs: int = 2
    dry_run: bool = False
    run_name: str | None = None


@dataclass
class Run:
    pipeline: spec.Pipeline
    name: str
    directory: Path
    values: dict  # pipeline-level variables
    workspaces: dict[str, Path | None]
    deps: dict[str, dict[str, str]]
    options: Options
    outcomes: dict[str, TaskOutcome] = field(default_factory=dict)
    started: str = ""


def run(pipeline_file: Path, options: Options, say: Progress | None = None) -> Run:
    """Run (or with dry_run, plan) the pipeline; raises CheckFailed naming the failing task and step."""
    say = say or reporter("pipeline")
    pipeline = spec.load_pipeline(Path(pipeline_file))
    deps = graph.dependencies(pipeline)
    bind.check_task_bindings(pipeline)
    names = {pt.name for pt in pipeline.all_tasks()}
    for name in options.skip:
        if name not in names:
            raise InputError(
                f"--skip {name}: {pipeline.file} has no task {name!r} (tasks: {', '.join(sorted(names))})"
            )
    if options.jobs < 1:
        raise InputError(f"--jobs {options.jobs}: must be at least 1")
    params = bind.pipeline_params(pipeline, options.params)
    name = (
        options.run_name
        or f"{pipeline.name}-run-{dt.datetime.now(dt.UTC):%Y%m%d-%H%M%S}-{secrets.token_hex(2)}"
    )
    directory = paths.state_dir() / "pipeline-runs" / name
    ws, notes = bind.pipeline_workspaces(
        pipeline, options.workspaces, directory / "workspaces", options.dry_run
    )
    values = pipeline_values(pipeline, name, params, ws)
    state = Run(pipeline, name, directory, values, ws, deps, options)
    if options.dry_run:
        print(plan.render(state, notes, params), flush=True)
        return state
    directory.mkdir(parents=True, exist_ok=True)
    for note in notes:
        say(note)
    say(f"run {name}: {directory}")
    state.started = status.now()
    processes = taskrun.Processes()
    try:
        _schedule(state, pipeline.tasks, processes, say, dag=True)
        _schedule(state, pipeline.finally_tasks, processes, say, dag=False)
    except KeyboardInterrupt:
        processes.kill_all()
        status.write(state, cancelled=True)
        raise
    path = status.write(state)
    say(f"status: {path}")
    failed = [(n, o) for n, o in state.outcomes.items() if o.status == FAILED]
    if failed:
        raise CheckFailed(
            f"pipeline {pipeline.name} failed: "
            + "; ".join(f"task {n} {_failure(o)}" for n, o in failed)
            + f" (logs under {directory})",
            [f"{n}: {_failure(o)}: {o.failed_step.log if o.failed_step else ''}" for n, o in failed],
        )
    say(f"pipeline {pipeline.name}: {status.reason(state)}")
    return state


def _failure(o: TaskOutcome) -> str:
    step = o.failed_step
    return f"step {step.name} failed ({step.reason})" if step else f"failed ({o.reason})"


def pipeline_values(pipeline: spec.Pipeline, name: str, params: dict, ws: dict[str, Path | None]) -> dict:
    values: dict = {f"params.{k}": v for k, v in params.items()}
    values.update(
        {
            "context.pipelineRun.name": name,
            "context.pipelineRun.namespace": "local",
            "context.pipelineRun.uid": name,
            "context.pipeline.name": pipeline.name,
        }
    )
    for w, path in ws.items():
        values[f"workspaces.{w}.bound"] = "true" if path is not None else "false"
    return values


def base_env() -> dict[str, str]:
    """The project's environment, with this interpreter's `readmit` and trivy first on PATH."""
    env = dict(os.environ)
    extra = [str(Path(sys.executable).parent)]
    try:
        extra.append(str(Path(trivy_binary()).parent))
    except InputError:
        pass  # a step that calls trivy fails and its log says trivy is missing
    env["PATH"] = os.pathsep.join([*extra, env.get("PATH", "")])
    return env


def visible_values(state: Run, dag: bool) -> dict:
    """Pipeline variables plus what finished tasks made available (results; status in finally)."""
    values = dict(state.values)
    for tname, o in state.outcomes.items():
        for r, v in o.results.items():
            values[f"tasks.{tname}.results.{r}"] = v
    if not dag:
        for pt in state.pipeline.tasks:
            o = state.outcomes.get(pt.name)
            values[f"tasks.{pt.name}.status"] = o.status if o and o.status != SKIPPED else "None"
        values["tasks.status"] = status.aggregate(
            [state.outcomes.get(pt.name) for pt in state.pipeline.tasks]
        )
    return values


def decide(state: Run, pt: spec.PipelineTask, stopping: bool, dag: bool) -> tuple[str, str] | None:
    """(Skipped, reason) when the task must not run, else None."""
    if pt.name in state.options.skip:
        return SKIPPED, USER_SKIP
    if dag and stopping:
        return SKIPPED, STOPPING
    for parent in state.deps.get(pt.name, {}):
        o = state.outcomes[parent]
        if o.status == SKIPPED and not o.reason.startswith(_SCOPED):
            return SKIPPED, PARENT_SKIP
    values = visible_values(state, dag)
    for parent, result in graph.result_refs(pt):
        if f"tasks.{parent}.results.{result}" not in values:
            return SKIPPED, f"{MISSING_RESULTS} ($(tasks.{parent}.results.{result}))"
    try:
        holds, why = bind.when_holds(pt, values)
    except substitute.Unresolved as exc:
        raise InputError(f"{state.pipeline.file}: {pt.where}.when: {exc}") from exc
    if not holds:
        return SKIPPED, f"{WHEN_SKIP}: {why}"
    mode = spec.fallback_mode(pt.task)
    if mode and mode[0] == "skip":
        return SKIPPED, f"{LOCAL_SKIP}: {pt.task.annotations[spec.FALLBACK_REASON]}"
    return None


def _prepare(state: Run, pt: spec.PipelineTask, dag: bool, processes: taskrun.Processes) -> taskrun.TaskRun:
    values = visible_values(state, dag)
    try:
        params = bind.task_params(pt, values)
    except substitute.Unresolved as exc:
        raise InputError(f"{state.pipeline.file}: {pt.where}.params: {exc}") from exc
    run_name = f"{state.name}-{pt.name}"
    directory = state.directory / pt.name
    ws = bind.task_workspaces(pt, state.workspaces, values)
    task_values = taskrun.task_values(pt.task, run_name, directory, params, ws)
    if pt.task.embedded:  # propagated params and context (docs/pipelines.md "Propagated Params")
        task_values = {**{k: v for k, v in values.items() if not k.startswith("tasks.")}, **task_values}
    mode = spec.fallback_mode(pt.task)
    timeout = (
        taskrun.parse_duration(pt.raw["timeout"], state.pipeline.file, f"{pt.where}.timeout")
        if pt.raw.get("timeout")
        else None
    )
    return taskrun.TaskRun(
        run_name,
        pt.task,
        directory,
        task_values,
        base_env(),
        processes,
        only_steps=mode[1] if mode and mode[0] == "steps" else None,
        skip_reason=f"{LOCAL_SKIP}: {pt.task.annotations.get(spec.FALLBACK_REASON, '')}",
        timeout=timeout,
    )


def _attempts(state: Run, pt: spec.PipelineTask, tr: taskrun.TaskRun) -> TaskOutcome:
    retries = int(pt.raw.get("retries") or 0)
    for attempt in range(retries + 1):
        if attempt:
            shutil.rmtree(tr.directory / "results", ignore_errors=True)
        outcome = taskrun.execute(tr)
        outcome.attempts = attempt + 1
        if outcome.status != FAILED:
            break
    return outcome


def _skipped(state: Run, pt: spec.PipelineTask, reason: str) -> TaskOutcome:
    results: dict[str, str] = {}
    if reason.startswith(LOCAL_SKIP) and spec.FALLBACK_RESULTS in pt.task.annotations:
        try:
            results = {
                str(k): str(v) for k, v in json.loads(pt.task.annotations[spec.FALLBACK_RESULTS]).items()
            }
        except (json.JSONDecodeError, AttributeError) as exc:
            raise InputError(
                f"{pt.task.file}: metadata.annotations[{spec.FALLBACK_RESULTS}]: not a JSON object of results"
            ) from exc
        results = {k: v for k, v in results.items() if k in pt.task.result_names()}
    return TaskOutcome(SKIPPED, reason, results)


@contextlib.contextmanager
def _killed_on_interrupt(processes: taskrun.Processes) -> Iterator[None]:
    """Ctrl-C kills the running steps at once: leaving a thread pool waits for its threads, which wait
    for their steps (listed inside the pool's `with`, so this runs first)."""
    try:
        yield
    except KeyboardInterrupt:
        processes.kill_all()
        raise


def _schedule(state: Run, tasks: list[spec.PipelineTask], processes, say: Progress, dag: bool) -> None:
    pending = [pt for pt in tasks]
    running: dict[Future, tuple[spec.PipelineTask, float]] = {}
    stopping = any(o.status == FAILED for o in state.outcomes.values())
    with ThreadPoolExecutor(max_workers=state.options.jobs) as pool, _killed_on_interrupt(processes):
        while pending or running:
            for pt in list(pending):
                parents = state.deps.get(pt.name, {}) if dag else {}
                if any(p not in state.outcomes for p in parents):
                    continue
                verdict = decide(state, pt, stopping, dag)
                if verdict is not None:
                    pending.remove(pt)
                    state.outcomes[pt.name] = _skipped(state, pt, verdict[1])
                    say(f"{pt.name}: Skipped ({verdict[1]})")
                    continue
                if len(running) >= state.options.jobs:
                    continue
                tr = _prepare(state, pt, dag, processes)
                pending.remove(pt)
                say(
                    f"{pt.name}: started"
                    + (f" (locally only steps {', '.join(tr.only_steps)})" if tr.only_steps else "")
                )
                running[pool.submit(_attempts, state, pt, tr)] = (pt, time.monotonic())
            if not running:
                if pending:  # cannot happen for a checked DAG; never spin
                    raise InputError(
                        f"{state.pipeline.file}: tasks {[p.name for p in pending]} can never start"
                    )
                break
            done, _ = wait(list(running), return_when=FIRST_COMPLETED)
            for future in done:
                pt, started = running.pop(future)
                outcome = future.result()
                state.outcomes[pt.name] = outcome
                step = outcome.failed_step
                detail = f" in step {step.name} ({step.reason}); log {step.log}" if step else ""
                say(f"{pt.name}: {outcome.status} ({time.monotonic() - started:.1f} s){detail}")
                if outcome.status == FAILED and dag:
                    stopping = True
