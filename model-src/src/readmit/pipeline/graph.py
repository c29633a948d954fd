"""The order of a Pipeline's tasks: `runAfter` and every `$(tasks.<t>.results.<r>)` reference in a task's
params and `when` are edges (docs/pipelines.md, "Configuring the Task execution order"). Finally tasks
have no order among themselves and may only read DAG tasks.
"""

from __future__ import annotations

import json

from readmit.errors import InputError
from readmit.pipeline import substitute
from readmit.pipeline.spec import Pipeline, PipelineTask


def _texts(pt: PipelineTask) -> list[str]:
    """Every string of the fields that may carry a result reference (params, when)."""
    return [json.dumps(pt.params), json.dumps(pt.when)]


def result_refs(pt: PipelineTask) -> list[tuple[str, str]]:
    return list(dict.fromkeys(ref for text in _texts(pt) for ref in substitute.result_refs(text)))


def dependencies(pipeline: Pipeline) -> dict[str, dict[str, str]]:
    """task -> {parent: "runAfter" | "results"}; checks names, result names and cycles."""
    dag = {pt.name: pt for pt in pipeline.tasks}
    names = [pt.name for pt in pipeline.all_tasks()]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise InputError(f"{pipeline.file}: spec.tasks: task name(s) {', '.join(duplicates)} used twice")
    deps: dict[str, dict[str, str]] = {}
    for pt in pipeline.all_tasks():
        mine: dict[str, str] = {}
        for parent in pt.run_after:
            if pt.is_finally:
                raise InputError(f"{pipeline.file}: {pt.where}.runAfter: finally tasks cannot use runAfter")
            if parent not in dag:
                raise InputError(
                    f"{pipeline.file}: {pt.where}.runAfter: no task named {parent!r} in spec.tasks"
                )
            mine[parent] = "runAfter"
        for parent, result in result_refs(pt):
            if parent not in dag:
                raise InputError(
                    f"{pipeline.file}: {pt.where}: $(tasks.{parent}.results.{result}) names no task "
                    "in spec.tasks"
                )
            if result not in dag[parent].task.result_names():
                raise InputError(
                    f"{pipeline.file}: {pt.where}: task {parent!r} declares no result {result!r} "
                    f"(it has: {', '.join(dag[parent].task.result_names()) or 'none'})"
                )
            if not pt.is_finally:
                mine[parent] = "results"
        deps[pt.name] = mine
    levels(pipeline, deps)  # raises on a cycle
    return deps


def levels(pipeline: Pipeline, deps: dict[str, dict[str, str]]) -> list[list[str]]:
    """DAG tasks in waves: each wave depends only on earlier ones (what may run in parallel)."""
    remaining = [pt.name for pt in pipeline.tasks]
    done: set[str] = set()
    out: list[list[str]] = []
    while remaining:
        wave = [n for n in remaining if set(deps.get(n, {})) <= done]
        if not wave:
            raise InputError(f"{pipeline.file}: spec.tasks: dependency cycle among {', '.join(remaining)}")
        out.append(wave)
        done |= set(wave)
        remaining = [n for n in remaining if n not in done]
    return out
