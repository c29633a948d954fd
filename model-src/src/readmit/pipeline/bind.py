"""Bind a PipelineRun's inputs: `--param K=V` against the Pipeline's params, `--workspace NAME=DIR` against
its workspaces, and each pipeline task's params and workspaces against its Task (before anything runs,
so a missing param is an error up front rather than halfway through a training run).
"""

from __future__ import annotations

import json
from pathlib import Path

from readmit.errors import InputError
from readmit.pipeline import substitute
from readmit.pipeline.spec import Pipeline, PipelineTask


def pipeline_params(pipeline: Pipeline, given: dict[str, str]) -> dict[str, str | list[str]]:
    declared = {p["name"]: p for p in pipeline.params}
    unknown = sorted(set(given) - set(declared))
    if unknown:
        raise InputError(
            f"--param {unknown[0]}: {pipeline.file} declares no such param "
            f"(it has: {', '.join(declared) or 'none'})"
        )
    out: dict[str, str | list[str]] = {}
    for name, spec in declared.items():
        is_array = spec.get("type", "string") == "array"
        if name in given:
            out[name] = _array(given[name], name) if is_array else given[name]
        elif "default" in spec:
            out[name] = [str(v) for v in spec["default"]] if is_array else str(spec["default"])
        else:
            raise InputError(
                f"{pipeline.file}: spec.params: {name} has no default; pass --param {name}=VALUE"
            )
    return out


def _array(text: str, name: str) -> list[str]:
    if text.startswith("["):
        try:
            value = json.loads(text)
        except json.JSONDecodeError as exc:
            raise InputError(f'--param {name}: {text!r} is not a JSON list; use ["a","b"] or a,b') from exc
        return [str(v) for v in value]
    return [v for v in text.split(",") if v] if text else []


def parse_pairs(pairs: tuple[str, ...], flag: str) -> dict[str, str]:
    out = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise InputError(f"{flag} {pair!r}: expected NAME=VALUE")
        out[key] = value
    return out


def pipeline_workspaces(
    pipeline: Pipeline, given: dict[str, str], scratch: Path, dry_run: bool = False
) -> tuple[dict[str, Path | None], list[str]]:
    """NAME -> folder (None for an unbound optional workspace); notes for what was made up."""
    declared = {w["name"]: w for w in pipeline.workspaces}
    unknown = sorted(set(given) - set(declared))
    if unknown:
        raise InputError(
            f"--workspace {unknown[0]}: {pipeline.file} declares no such workspace "
            f"(it has: {', '.join(declared) or 'none'})"
        )
    out: dict[str, Path | None] = {}
    notes = []
    for name, spec in declared.items():
        if name in given:
            path = Path(given[name]).resolve()
            if path.exists() and not path.is_dir():
                raise InputError(f"--workspace {name}={given[name]}: not a directory")
            if not dry_run:
                path.mkdir(parents=True, exist_ok=True)
            out[name] = path
        elif spec.get("optional"):
            out[name] = None
        else:
            out[name] = scratch / name
            if not dry_run:
                out[name].mkdir(parents=True, exist_ok=True)
            notes.append(f"workspace {name}: not bound, using an empty folder {out[name]} (like emptyDir)")
    return out, notes


def check_task_bindings(pipeline: Pipeline) -> None:
    """Every Task param without a default gets a value, every required Task workspace a binding."""
    declared_ws = {w["name"] for w in pipeline.workspaces}
    for pt in pipeline.all_tasks():
        given = {p["name"] for p in pt.params}
        for p in pt.task.param_specs():
            if p["name"] not in given and "default" not in p:
                raise InputError(
                    f"{pipeline.file}: {pt.where}.params: Task {pt.task.name!r} needs param {p['name']!r} "
                    "(it has no default)"
                )
        bound = {w["name"]: w for w in pt.raw.get("workspaces") or []}
        for w in pt.task.workspace_specs():
            binding = bound.get(w["name"])
            if binding is None and not w.get("optional"):
                raise InputError(
                    f"{pipeline.file}: {pt.where}.workspaces: Task {pt.task.name!r} needs workspace "
                    f"{w['name']!r}"
                )
            if binding is not None and binding.get("workspace") not in declared_ws:
                raise InputError(
                    f"{pipeline.file}: {pt.where}.workspaces: {binding.get('workspace')!r} is not a "
                    "workspace of the Pipeline (spec.workspaces)"
                )


def task_workspaces(pt: PipelineTask, bound: dict[str, Path | None], values: dict) -> dict[str, Path | None]:
    out: dict[str, Path | None] = {}
    for i, binding in enumerate(pt.raw.get("workspaces") or []):
        base = bound.get(binding.get("workspace"))
        if base is not None and binding.get("subPath"):
            try:
                sub = substitute.string(binding["subPath"], values)
            except substitute.Unresolved as exc:
                raise InputError(f"{pt.task.file}: {pt.where}.workspaces[{i}].subPath: {exc}") from exc
            base = base / sub
            base.mkdir(parents=True, exist_ok=True)
        out[binding["name"]] = base
    return out


def task_params(pt: PipelineTask, values: dict) -> dict[str, str | list[str]]:
    """The Task's params: the pipeline task's (substituted) values over the Task's defaults. Raises
    Unresolved for a reference with no value (a missing result: the caller skips the task)."""
    given = {p["name"]: substitute.value(p.get("value", ""), values) for p in pt.params}
    out: dict[str, str | list[str]] = {}
    for spec in pt.task.param_specs():
        name = spec["name"]
        if name in given:
            out[name] = given[name]
        else:
            default = spec["default"]
            out[name] = [str(v) for v in default] if isinstance(default, list) else str(default)
    return out


def when_holds(pt: PipelineTask, values: dict) -> tuple[bool, str]:
    """(all when expressions true, a description of the first false one)."""
    for w in pt.when:
        got = substitute.string(str(w.get("input", "")), values)
        allowed = substitute.strings(list(w.get("values") or []), values)
        ok = (got in allowed) if w["operator"] == "in" else (got not in allowed)
        if not ok:
            return False, f"{w.get('input', '')!r} ({got!r}) {w['operator']} {allowed}"
    return True, ""
