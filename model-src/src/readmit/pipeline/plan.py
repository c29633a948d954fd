"""`--dry-run`: the plan without running anything: the order in waves (a wave's tasks may run in
parallel), each task's params after substitution (result references stay as written: they are known only
at run time), and what is skipped and why (`--skip`, a `when` on params alone, a local fallback)."""

from __future__ import annotations

from readmit.pipeline import bind, graph, spec, substitute


def _static_when(pt: spec.PipelineTask, values: dict) -> str:
    """Why a `when` on params alone skips the task, '' when it holds, None-ish text for run time."""
    if not pt.when:
        return ""
    if any("$(tasks." in str(w) for w in pt.when):
        return "decided at run time (when reads task results or status)"
    try:
        holds, why = bind.when_holds(pt, values)
    except substitute.Unresolved as exc:
        return f"decided at run time ({exc.reference})"
    return "" if holds else f"skipped: when {why} is false"


def _params(pt: spec.PipelineTask, values: dict) -> list[str]:
    keep = {k: v for k, v in values.items()}
    for parent, result in graph.result_refs(pt):
        keep[f"tasks.{parent}.results.{result}"] = f"$(tasks.{parent}.results.{result})"
    keep.setdefault("tasks.status", "$(tasks.status)")
    out = []
    for p in pt.params:
        try:
            shown = substitute.value(p.get("value", ""), keep)
        except substitute.Unresolved as exc:
            shown = f"{p.get('value')} (at run time: {exc.reference})"
        out.append(f"      {p['name']} = {shown}")
    return out


def render(state, notes: list[str], params: dict) -> str:
    pipeline = state.pipeline
    lines = [
        f"plan: pipeline {pipeline.name} ({pipeline.file}), run {state.name}, "
        f"up to {state.options.jobs} at once"
    ]
    lines += [f"note: {n}" for n in notes]
    lines.append("params:")
    lines += [f"  {k} = {v}" for k, v in params.items()]
    lines.append("workspaces:")
    lines += [f"  {k} = {v if v else '(not bound)'}" for k, v in state.workspaces.items()]
    lines.append("order (tasks in one wave may run in parallel):")
    values = dict(state.values)
    for t in pipeline.tasks:
        values.setdefault(f"tasks.{t.name}.status", f"$(tasks.{t.name}.status)")
    by_name = {pt.name: pt for pt in pipeline.all_tasks()}
    waves = graph.levels(pipeline, state.deps)
    for i, wave in enumerate(waves, 1):
        lines.append(f"  {i}. {', '.join(wave)}")
    if pipeline.finally_tasks:
        lines.append(f"  finally: {', '.join(pt.name for pt in pipeline.finally_tasks)}")
    lines.append("tasks:")
    for name in [n for wave in waves for n in wave] + [pt.name for pt in pipeline.finally_tasks]:
        pt = by_name[name]
        source = "taskSpec (embedded)" if pt.task.embedded else f"taskRef {pt.task.name} ({pt.task.file})"
        after = ", ".join(f"{p} ({how})" for p, how in state.deps.get(name, {}).items())
        lines.append(f"  {name}: {source}" + (f"; after {after}" if after else ""))
        verdict = _verdict(state, pt, values)
        if verdict:
            lines.append(f"    {verdict}")
        lines += _params(pt, values)
    return "\n".join(lines)


def _verdict(state, pt: spec.PipelineTask, values: dict) -> str:
    if pt.name in state.options.skip:
        return "skipped: --skip"
    when = _static_when(pt, values)
    if when:
        return when
    mode = spec.fallback_mode(pt.task)
    if mode:
        reason = pt.task.annotations[spec.FALLBACK_REASON]
        if mode[0] == "skip":
            results = pt.task.annotations.get(spec.FALLBACK_RESULTS)
            return f"skipped locally: {reason}" + (f"; stands in results {results}" if results else "")
        return f"runs locally only steps {', '.join(mode[1])}: {reason}"
    return ""
