"""`readmit manifests ...`: thin shell over readmit.manifests.check."""

from __future__ import annotations

from pathlib import Path

import click

from readmit.errors import CheckFailed

ENV_CHOICES = ["dev", "staging", "prod", "all"]


@click.group()
def manifests() -> None:
    """Kubernetes manifests: render, validate and scan them offline."""


@manifests.command("check")
@click.option(
    "--env",
    "env",
    type=click.Choice(ENV_CHOICES),
    default=None,
    help="environment overlay(s) to check; default all (only PATHs when PATHs are given)",
)
@click.option("--no-trivy", is_flag=True, help="skip the trivy misconfiguration scan")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
def check_command(env: str | None, no_trivy: bool, paths: tuple[Path, ...]) -> None:
    """Render overlays, validate every object and scan with trivy; one line per problem, exit 1 if any."""
    from readmit.manifests.check import ENVIRONMENTS, check_report

    envs = None if env in (None, "all") else [env]
    targets = list(paths) or None
    report = check_report(envs=envs, paths=targets, trivy=not no_trivy)
    pods = [f"checked merged pod: {pod}" for pod in report.merged_pods]
    if report.problems:
        for line in pods:
            click.echo(line)
        raise CheckFailed(f"manifests check: {len(report.problems)} problem(s)", report.problems)
    checked = (
        ", ".join(map(str, targets))
        if targets
        else f"environments {', '.join(envs or ENVIRONMENTS)}, apps, clusters, tekton, Dockerfile"
    )
    click.echo("\n".join([f"manifests check: no problems ({checked})", *pods]))
