"""`readmit policy test` and `readmit policy check`."""

from __future__ import annotations

from pathlib import Path

import click

from readmit.errors import CheckFailed


@click.group()
def policy() -> None:
    """OPA (Rego) policies under policies/."""


@policy.command("test")
@click.argument("names", nargs=-1)
def test(names: tuple[str, ...]) -> None:
    """Evaluate every sample against its expectation, reported per policy."""
    from readmit.policy import samples

    summary, failures = samples.report(samples.run(names=list(names) or None))
    for line in summary:
        click.echo(line)
    if failures:
        raise CheckFailed(f"{len(failures)} sample(s) did not behave as expected", failures)


@policy.command("check")
@click.option("--env", "envs", multiple=True, type=click.Choice(["dev", "staging", "prod"]))
@click.option("--registry/--no-registry", default=True, help="Compare provenance annotations with MLflow.")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
def check(envs: tuple[str, ...], registry: bool, paths: tuple[Path, ...]) -> None:
    """Render overlays (default: every env and clusters/) or read PATHs, and evaluate every policy."""
    from readmit.policy.check import check as run_check

    problems = run_check(envs=list(envs) or None, paths=list(paths) or None, registry=registry)
    if problems:
        raise CheckFailed(f"{len(problems)} policy violation(s)", problems)
    click.echo("policy check: no violations")
