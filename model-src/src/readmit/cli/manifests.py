"""`readmit manifests ...`: thin shell over readmit.manifests.check."""

from __future__ import annotations

from pathlib import Path

import click

from readmit import envs as environments
from readmit.cli.options import env_option, example, selected
from readmit.errors import CheckFailed
from readmit.manifests.check import check_report


@click.group(epilog=example("readmit manifests check --env all"))
def manifests() -> None:
    """Kubernetes manifests: render, validate and scan them offline."""


@manifests.command("check", epilog=example("readmit manifests check --env staging --no-trivy"))
@env_option(help="environment overlay(s) to check; default all (only PATHs when PATHs are given)")
@click.option("--no-trivy", is_flag=True, help="skip the trivy misconfiguration scan")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
def check_command(env: str | None, no_trivy: bool, paths: tuple[Path, ...]) -> None:
    """Render overlays, validate every object and scan with trivy; one line per problem, exit 1 if any."""
    targets = list(paths) or None
    envs = selected(env, paths)
    report = check_report(envs=envs, paths=targets, trivy=not no_trivy)
    pods = [f"checked merged pod: {pod}" for pod in report.merged_pods]
    if report.problems:
        for line in pods:
            click.echo(line)
        raise CheckFailed(f"manifests check: {len(report.problems)} problem(s)", report.problems)
    checked = (
        ", ".join(map(str, targets))
        if targets
        else f"environments {', '.join(envs or environments.names())}, apps, clusters, tekton, Dockerfile"
    )
    click.echo("\n".join([f"manifests check: no problems ({checked})", *pods]))
