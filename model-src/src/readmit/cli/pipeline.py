"""`readmit pipeline run PIPELINE.yaml`: run a Tekton Pipeline's very YAML on this machine."""

from __future__ import annotations

from pathlib import Path

import click


@click.group()
def pipeline() -> None:
    """Run Tekton Pipelines locally (the same YAML the cluster runs)."""


@pipeline.command("run")
@click.argument("pipeline_file", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--param", "params", multiple=True, metavar="K=V", help="A Pipeline param (repeatable).")
@click.option(
    "--workspace", "workspaces", multiple=True, metavar="NAME=DIR", help="Bind a workspace to a folder."
)
@click.option("--skip", "skip", multiple=True, metavar="TASK", help="Do not run TASK (like a false when).")
@click.option("--jobs", type=int, default=2, show_default=True, help="Tasks run at once.")
@click.option("--dry-run", is_flag=True, help="Print the plan: order, parallel waves, params, skips.")
def run(pipeline_file, params, workspaces, skip, jobs, dry_run) -> None:
    """Run PIPELINE_FILE: status JSON and step logs under <state dir>/pipeline-runs/<run>/."""
    from readmit.pipeline import bind
    from readmit.pipeline.run import Options
    from readmit.pipeline.run import run as run_pipeline

    options = Options(
        params=bind.parse_pairs(params, "--param"),
        workspaces=bind.parse_pairs(workspaces, "--workspace"),
        skip=list(skip),
        jobs=jobs,
        dry_run=dry_run,
    )
    run_pipeline(pipeline_file, options)
