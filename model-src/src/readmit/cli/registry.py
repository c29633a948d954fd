"""`readmit registry sync [--check]`: point the environment aliases at what git serves."""

from __future__ import annotations

from pathlib import Path

import click

from readmit import paths
from readmit.cli.options import example
from readmit.promote import sync as logic


@click.group(epilog=example("readmit registry sync --check"))
def registry() -> None:
    """The MLflow model registry, kept a mirror of git."""


@registry.command(epilog=example("readmit registry sync --check"))
@click.option("--check", is_flag=True, help="Only report divergence (exit 1); change nothing.")
@click.option(
    "--repo", type=click.Path(path_type=Path, file_okay=False), default=None, help="Checkout to read."
)
def sync(check: bool, repo: Path | None) -> None:
    """Set each environment's alias to the stable version in environments/<env>/models.yaml."""
    repo = repo or paths.repo_root()
    if check:
        logic.check(repo)
        click.echo("registry sync: the registry matches git")
        return
    changed = logic.sync(repo)
    for d in changed:
        target = f"v{d.in_git}" if d.in_git is not None else "removed"
        was = f"v{d.in_registry}" if d.in_registry is not None else "unset"
        click.echo(f"alias {d.env}: {was} -> {target}")
    click.echo(
        f"registry sync: {len(changed)} alias(es) changed" if changed else "registry sync: already in step"
    )
