"""`readmit canary analyze`: advance, hold or roll back the env's canary from its inference log."""

from __future__ import annotations

from pathlib import Path

import click

from readmit.canary.analyze import run
from readmit.cli.options import env_option, example, one_env
from readmit.errors import InputError


@click.group(epilog=example("readmit canary analyze --env staging --apply"))
def canary() -> None:
    """Judge a running canary and carry the verdict out by pull request."""


@canary.command(
    epilog=example(
        "readmit canary analyze --env staging --log .readmit/inference/readmission.jsonl",
        "readmit canary analyze --env prod --if-running --apply --push origin",
    )
)
@env_option(required=True, help="environment whose canary to judge (one; `all` is refused)")
@click.option(
    "--log", type=click.Path(path_type=Path), default=None, help="inference log (default: serving's sink)"
)
@click.option(
    "--outcomes", type=click.Path(path_type=Path), default=None, help="CSV/Parquet: encounter_key,label"
)
@click.option(
    "--apply", "apply_", is_flag=True, help="commit the verdict on a new branch (promote or rollback)"
)
@click.option("--repo", type=click.Path(path_type=Path, file_okay=False), default=None)
@click.option(
    "--out",
    type=click.Path(path_type=Path),
    default=None,
    help="analysis folder (default .readmit/canary/ENV)",
)
@click.option(
    "--pr-out", type=click.Path(path_type=Path, dir_okay=False), default=None, help="write the PR text here"
)
@click.option(
    "--push", default=None, metavar="REMOTE", help="with --apply: push the verdict's branch to REMOTE"
)
@click.option(
    "--if-running",
    is_flag=True,
    help="when ENV runs no canary, record decision `none` and exit 0 (for scheduled runs)",
)
def analyze(env, log, outcomes, apply_, repo, out, pr_out, push, if_running) -> None:
    """Compare the canary with the default arm; print the analysis (Markdown)."""

    one_env(env, "a canary runs in one environment")
    if push and not apply_:
        raise InputError("--push REMOTE needs --apply: only an applied verdict makes a branch to push")
    result = run(env, log, outcomes, apply_, repo, out, pr_out=pr_out, push=push, if_running=if_running)
    click.echo(result.markdown)
    click.echo(f"analysis in {result.out}", err=True)
    if result.applied is not None:
        pushed = f", pushed to {result.applied.pushed_to}" if result.applied.pushed_to else ""
        click.echo(
            f"created branch {result.applied.branch} at {result.applied.commit[:12]}{pushed}", err=True
        )
    elif apply_:
        decision = result.verdict.decision if result.verdict else "no canary"
        click.echo(f"{decision}: nothing to apply", err=True)
