"""`readmit policy test` and `readmit policy check`."""

from __future__ import annotations

from pathlib import Path

import click

from readmit.cli.options import env_option, example, selected
from readmit.errors import CheckFailed
from readmit.policy import samples
from readmit.policy.check import check as run_check


@click.group(epilog=example("readmit policy check --env all"))
def policy() -> None:
    """OPA (Rego) policies under policies/."""


@policy.command("test", epilog=example("readmit policy test seldon-rollout"))
@click.argument("names", nargs=-1)
def test(names: tuple[str, ...]) -> None:
    """Evaluate every sample against its expectation, reported per policy."""
    summary, failures = samples.report(samples.run(names=list(names) or None))
    for line in summary:
        click.echo(line)
    if failures:
        raise CheckFailed(f"{len(failures)} sample(s) did not behave as expected", failures)


@policy.command("check", epilog=example("readmit policy check --env prod --no-registry"))
@env_option(help="environment overlay(s) to check; default all plus clusters/ (only PATHs when given)")
@click.option("--registry/--no-registry", default=True, help="Compare provenance annotations with MLflow.")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
def check(env: str | None, registry: bool, paths: tuple[Path, ...]) -> None:
    """Render overlays (default: every env and clusters/) or read PATHs, and evaluate every policy."""
    problems = run_check(envs=selected(env, paths), paths=list(paths) or None, registry=registry)
    if problems:
        raise CheckFailed(f"{len(problems)} policy violation(s)", problems)
    click.echo("policy check: no violations")
