"""`readmit promote` and `readmit rollback`."""

from __future__ import annotations

from pathlib import Path

import click

from readmit.cli.options import env_option, example, one_env
from readmit.promote import promote as run_promote
from readmit.promote import rollback as run_rollback


def _common(f):
    for option in reversed(
        [
            click.option("--reason", default="", help="Why; recorded as the Reason trailer."),
            click.option("--repo", type=click.Path(path_type=Path, file_okay=False), default=None),
            click.option("--branch", default=None, help="Branch to create (default promote/<env>/v<N>)."),
            click.option("--push", "push", default=None, metavar="REMOTE", help="Push the branch to REMOTE."),
            click.option(
                "--pr-out",
                type=click.Path(path_type=Path, dir_okay=False),
                default=None,
                help="Write the PR description here instead of stdout.",
            ),
        ]
    ):
        f = option(f)
    return f


def _report(result, pr_out: Path | None) -> None:
    if pr_out is None:
        click.echo(result.pr_markdown)
    click.echo(
        f"created branch {result.branch} at {result.commit[:12]}"
        + (f", pushed to {result.pushed_to}" if result.pushed_to else ""),
        err=True,
    )


def _one(env: str, command: str) -> str:
    return one_env(env, f"{command} changes one environment per reviewed commit")


@click.command(epilog=example("readmit promote --env staging --version 3 --weight 20 --reason 'canary'"))
@env_option(required=True, help="environment to change (one; `all` is refused: one reviewed commit each)")
@click.option("--version", "version", required=True, type=int)
@click.option("--weight", type=click.IntRange(1, 100), default=None, help="Canary share in percent.")
@click.option("--full", is_flag=True, help="Make it the only version, at 100%.")
@click.option(
    "--mirror",
    type=click.IntRange(1, 100),
    default=None,
    help="Shadow mode: mirror this share in percent to the version; its answers are never returned.",
)
@_common
def promote(env, version, weight, full, mirror, reason, repo, branch, push, pr_out) -> None:
    """Commit a new models.yaml for ENV on a new branch and print the PR description."""
    _report(
        run_promote(
            _one(env, "promote"),
            version,
            weight=weight,
            full=full or (weight is None and mirror is None),
            mirror=mirror,
            reason=reason,
            repo=repo,
            branch=branch,
            push=push,
            pr_out=pr_out,
        ),
        pr_out,
    )


@click.command(epilog=example("readmit rollback --env prod --reason 'calibration drift'"))
@env_option(required=True, help="environment to roll back (one; `all` is refused: one reviewed commit each)")
@_common
def rollback(env, reason, repo, branch, push, pr_out) -> None:
    """Restore ENV's previous version as a reviewed commit with a Rollback-Of trailer."""
    _report(
        run_rollback(
            _one(env, "rollback"), reason=reason, repo=repo, branch=branch, push=push, pr_out=pr_out
        ),
        pr_out,
    )
