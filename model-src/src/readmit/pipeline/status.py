"""The run's outcome as a PipelineRun-like JSON (`<run dir>/pipelinerun.json`), shaped like the
tekton.dev/v1 PipelineRun status: a `Succeeded` condition with Tekton's reasons (Succeeded, Completed,
Failed, Cancelled), `childReferences`, `skippedTasks` and `results`; plus `taskRuns`, one entry per
pipeline task with its steps, exit codes, logs and results (what `tkn pr describe` would show).
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from readmit.atomic import write_text
from readmit.pipeline import substitute
from readmit.pipeline.taskrun import FAILED, SKIPPED, SUCCEEDED, TaskOutcome

STATUS_FILE = "pipelinerun.json"


def now() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def aggregate(outcomes: list[TaskOutcome | None]) -> str:
    """`$(tasks.status)`: Succeeded, Failed, Completed (some skipped, none failed) or None."""
    if any(o is None for o in outcomes):
        return "None"
    if any(o.status == FAILED for o in outcomes):
        return "Failed"
    if any(o.status == SKIPPED for o in outcomes):
        return "Completed"
    return SUCCEEDED


def reason(state) -> str:
    every = [state.outcomes.get(pt.name) for pt in state.pipeline.all_tasks()]
    return aggregate(every)


def pipeline_results(state) -> list[dict]:
    values = {f"tasks.{n}.results.{r}": v for n, o in state.outcomes.items() for r, v in o.results.items()}
    values.update({f"finally.{k[len('tasks.') :]}": v for k, v in values.items()})
    out = []
    for r in state.pipeline.results:
        try:
            out.append({"name": r["name"], "value": substitute.string(str(r.get("value", "")), values)})
        except substitute.Unresolved:
            continue  # Tekton leaves out a pipeline result whose task result is missing
    return out


def document(state, cancelled: bool = False) -> dict:
    outcomes = state.outcomes
    ran = [n for n, o in outcomes.items() if o.status != SKIPPED]
    failed = [n for n, o in outcomes.items() if o.status == FAILED]
    skipped = [n for n, o in outcomes.items() if o.status == SKIPPED]
    why = "Cancelled" if cancelled else reason(state)
    return {
        "apiVersion": "tekton.dev/v1",
        "kind": "PipelineRun",
        "metadata": {"name": state.name, "labels": {"tekton.dev/pipeline": state.pipeline.name}},
        "spec": {
            "pipelineRef": {"name": state.pipeline.name},
            "params": [
                {"name": k[len("params.") :], "value": v}
                for k, v in state.values.items()
                if k.startswith("params.")
            ],
            "workspaces": [
                {"name": w, "hostPath": str(p) if p else None} for w, p in state.workspaces.items()
            ],
        },
        "status": {
            "startTime": state.started,
            "completionTime": now(),
            "conditions": [
                {
                    "type": "Succeeded",
                    "status": "True" if why in (SUCCEEDED, "Completed") else "False",
                    "reason": why,
                    "message": f"Tasks Completed: {len(ran)} (Failed: {len(failed)}, Cancelled 0), "
                    f"Skipped: {len(skipped)}",
                }
            ],
            "childReferences": [
                {"kind": "TaskRun", "name": f"{state.name}-{n}", "pipelineTaskName": n} for n in ran
            ],
            "skippedTasks": [{"name": n, "reason": outcomes[n].reason} for n in skipped],
            "results": pipeline_results(state),
            "taskRuns": {n: _taskrun(o) for n, o in outcomes.items()},
        },
    }


def _taskrun(o: TaskOutcome) -> dict:
    return {
        "status": o.status,
        "reason": o.reason,
        "durationSeconds": round(o.seconds, 3),
        "attempts": o.attempts,
        "results": [{"name": k, "value": v} for k, v in o.results.items()],
        "steps": [
            {
                "name": s.name,
                "status": s.status,
                "exitCode": s.exit_code,
                "durationSeconds": round(s.seconds, 3),
                "log": s.log,
                "reason": s.reason,
            }
            for s in o.steps
        ],
    }


def write(state, cancelled: bool = False) -> Path:
    path = Path(state.directory) / STATUS_FILE
    write_text(path, json.dumps(document(state, cancelled), indent=2) + "\n")
    return path
