"""Small inline Pipelines with trivial shell steps for the local runner's tests."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

IMAGE = "docker.io/library/busybox@sha256:" + "0" * 64


def step(name: str, script: str, **extra) -> dict:
    return {"name": name, "image": IMAGE, "script": textwrap.dedent(script), **extra}


def task(name: str, steps: list[dict], **spec) -> dict:
    """A pipeline task with an embedded taskSpec; pipeline-task fields are picked out of spec."""
    fields = ("runAfter", "when", "params", "workspaces", "timeout", "retries")
    extra = {k: spec.pop(k) for k in fields if k in spec}
    return {"name": name, "taskSpec": {"steps": steps, **spec}, **extra}


def pipeline(tasks: list[dict], **spec) -> dict:
    return {
        "apiVersion": "tekton.dev/v1",
        "kind": "Pipeline",
        "metadata": {"name": "p"},
        "spec": {"tasks": tasks, **spec},
    }


def status_json(state) -> dict:
    return json.loads(Path(state.directory, "pipelinerun.json").read_text())
