"""`readmit gate --version N --env ENV`."""

from __future__ import annotations

import click

from readmit import envs
from readmit.cli.options import env_option, example
from readmit.errors import CheckFailed
from readmit.gates import gate as run_gate


@click.command(epilog=example("readmit gate --version 3 --env staging"))
@click.option("--version", "version", type=int, required=True, help="Registered version of `readmission`.")
@env_option(required=True, help="environment whose gates to apply, or all (each in promotion order)")
def gate(version: int, env: str) -> None:
    """Check a version against the environment's metric gates and record the result on it."""
    summary, problems = [], []
    for name in envs.resolve(env):
        result = run_gate(version, name)
        champion = f"champion v{result.champion}" if result.champion is not None else "no champion"
        if result.passed:
            click.echo(f"version {version} passed the {name} gates ({champion})")
        else:
            summary.append(f"{len(result.failures)} {name} gate(s) ({champion})")
            problems += [f"model-gates: {f}" for f in result.failures]
        for warning in result.warnings:
            click.echo(f"warning: model-gates: {name}: {warning}", err=True)
    if summary:
        raise CheckFailed(f"version {version} failed " + "; ".join(summary), problems)
