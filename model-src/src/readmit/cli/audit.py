"""`readmit audit`."""

from __future__ import annotations

from pathlib import Path

import click

from readmit import paths
from readmit.audit import audit as run
from readmit.cli.options import env_option, example


@click.command(epilog=example("readmit audit --env prod --since 2026-01-01 --format html --out audit.html"))
@env_option(help="environment to report, or all (default)")
@click.option("--since", default=None, help="Only what was live on or after this date (YYYY-MM-DD).")
@click.option("--format", "fmt", type=click.Choice(["md", "json", "html"]), default="html")
@click.option("--out", type=click.Path(path_type=Path, dir_okay=False), default=None)
@click.option("--repo", type=click.Path(path_type=Path, file_okay=False), default=None)
@click.option("--registry/--no-registry", default=True, help="Compare annotations with the MLflow registry.")
def audit(env, since, fmt, out, repo, registry) -> None:
    """Timeline per environment and anomalies, from the git history of environments/."""
    result = run(repo or paths.repo_root(), env=env, since=since, fmt=fmt, out=out, registry=registry)
    if out is None:
        click.echo(result.text, nl=False)
    else:
        click.echo(f"audit: {len(result.anomalies)} anomalies; report written to {out}")
