"""`readmit pipeline run PIPELINE.yaml`: run a Tekton Pipeline's very YAML on this machine."""

from __future__ import annotations

from pathlib import Path

import click

from readmit.cli.options import env_option, example
from readmit.errors import InputError
from readmit.pipeline import bind, results
from readmit.pipeline import notify as notify_logic
from readmit.pipeline.run import Options
from readmit.pipeline.run import run as run_pipeline


@click.group(
    epilog=example(
        "readmit pipeline run tekton/pipelines/retrain-and-promote/0.1/retrain-and-promote.yaml --dry-run"
    )
)
def pipeline() -> None:
    """Run Tekton Pipelines locally (the same YAML the cluster runs)."""


@pipeline.command(
    "run",
    epilog=example(
        "readmit pipeline run tekton/pipelines/retrain-and-promote/0.1/retrain-and-promote.yaml --dry-run"
    ),
)
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
    options = Options(
        params=bind.parse_pairs(params, "--param"),
        workspaces=bind.parse_pairs(workspaces, "--workspace"),
        skip=list(skip),
        jobs=jobs,
        dry_run=dry_run,
    )
    run_pipeline(pipeline_file, options)


@pipeline.command(
    "result", epilog=example("readmit pipeline result gate --version 3 --env dev --to result.txt")
)
@click.argument(
    "name",
    type=click.Choice(
        [
            "data-version",
            "model-version",
            "gate",
            "branch",
            "commit",
            "text",
            "canary-verdict",
            "canary-branch",
        ]
    ),
)
@click.option(
    "--to", "to", required=True, type=click.Path(path_type=Path, dir_okay=False), help="$(results.X.path)"
)
@click.option("--data", type=click.Path(path_type=Path), help="data-version: the ingested folder")
@click.option("--alias", default="candidate", show_default=True, help="model-version: the registry alias")
@click.option("--version", "version", type=int, help="gate: the model version")
@env_option(help="gate: the environment")
@click.option("--exit-code-file", type=click.Path(path_type=Path), help="gate: the gate step's exit code")
@click.option(
    "--repo", type=click.Path(path_type=Path), default=Path("."), help="branch/commit: the checkout"
)
@click.option(
    "--file",
    "file",
    type=click.Path(path_type=Path),
    help="text: the file (capped for a result); canary-*: the analysis folder",
)
def result(name, to, data, alias, version, env, exit_code_file, repo, file) -> None:
    """Write one Tekton result of a catalog Task (the value, no trailing newline)."""
    needs = {
        "data-version": data,
        "gate": version is not None and env,
        "text": file,
        "canary-verdict": file,
        "canary-branch": file,
    }
    if name in needs and not needs[name]:
        raise InputError(f"readmit pipeline result {name}: missing its option (see --help)")
    value = {
        "data-version": lambda: results.data_version(data),
        "model-version": lambda: results.model_version(alias),
        "gate": lambda: results.gate(version, env, exit_code_file),
        "branch": lambda: results.branch(repo),
        "commit": lambda: results.commit(repo),
        "text": lambda: results.text(file),
        "canary-verdict": lambda: results.canary_verdict(file),
        "canary-branch": lambda: results.canary_branch(file),
    }[name]()
    results.write(to, value)
    click.echo(f"{name} = {value if len(value) < 200 else value[:200] + '...'}")


@pipeline.command("notify", epilog=example("readmit pipeline notify --run retrain-abc12 status=Succeeded"))
@click.option("--run", "run_name", required=True, help="$(context.pipelineRun.name)")
@click.option("--status", "aggregate", required=True, help="$(tasks.status)")
@click.option("--webhook-url-file", type=click.Path(path_type=Path), help="POST the message to this URL")
@click.argument("items", nargs=-1, metavar="[NAME=VALUE]...")
def notify(run_name, aggregate, webhook_url_file, items) -> None:
    """Print (and optionally POST) the run's summary: task statuses and details as NAME=VALUE lines."""
    text = notify_logic.message(run_name, aggregate, list(items))
    click.echo(text)
    if webhook_url_file:
        notify_logic.post(webhook_url_file, text)
