"""`readmit gate --version N --env ENV`."""

from __future__ import annotations

import click

from readmit.errors import CheckFailed


@click.command()
@click.option("--version", "version", type=int, required=True, help="Registered version of `readmission`.")
@click.option("--env", type=click.Choice(["dev", "staging", "prod"]), required=True)
def gate(version: int, env: str) -> None:
    """Check a version against the environment's metric gates and record the result on it."""
    from readmit.gates import gate as run_gate

    result = run_gate(version, env)
    champion = f"champion v{result.champion}" if result.champion is not None else "no champion"
    if not result.passed:
        raise CheckFailed(
            f"version {version} failed {len(result.failures)} {env} gate(s) ({champion})",
            [f"model-gates: {f}" for f in result.failures],
        )
    click.echo(f"version {version} passed the {env} gates ({champion})")
    for warning in result.warnings:
        click.echo(f"warning: model-gates: {warning}", err=True)
