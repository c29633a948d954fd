"""The `readmit` command: a thin shell over the package's logic functions.

Sub-commands are imported lazily so that `readmit data ...` does not pay for torch or MLflow.
Each entry maps a command name to `module:attribute` of a click command or group.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys

import click

from readmit.errors import CheckFailed, InputError

COMMANDS = {
    "data": "readmit.cli.data:data",
    "train": "readmit.cli.train:train",
    "tune": "readmit.cli.train:tune",
    "evaluate": "readmit.cli.train:evaluate",
    "gate": "readmit.cli.gate:gate",
    "manifests": "readmit.cli.manifests:manifests",
    "policy": "readmit.cli.policy:policy",
    "promote": "readmit.cli.promote:promote",
    "rollback": "readmit.cli.promote:rollback",
    "audit": "readmit.cli.audit:audit",
    "demo": "readmit.cli.demo:demo",
    "export": "readmit.cli.export:export",
    "serve": "readmit.cli.serve:serve",
    "cds": "readmit.cli.cds:cds",
}


def _available(target: str) -> bool:
    return importlib.util.find_spec(target.split(":")[0]) is not None


class LazyGroup(click.Group):
    def list_commands(self, ctx):
        return sorted(name for name, target in COMMANDS.items() if _available(target))

    def get_command(self, ctx, name):
        target = COMMANDS.get(name)
        if target is None or not _available(target):
            return None
        module, attr = target.split(":")
        return getattr(importlib.import_module(module), attr)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="readmit")
def cli() -> None:
    """30-day readmission risk: data, training, manifests, policy, promotion and audit."""


def main(argv: list[str] | None = None) -> None:
    """Entry point: bad input exits 2 with one line, failed checks exit 1 after listing problems."""
    try:
        cli.main(args=argv, prog_name="readmit", standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("readmit: aborted", err=True)
        sys.exit(130)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except InputError as exc:
        click.echo(f"readmit: error: {exc}", err=True)
        sys.exit(InputError.exit_code)
    except CheckFailed as exc:
        for problem in exc.problems:
            click.echo(problem, err=True)
        click.echo(f"readmit: {exc}", err=True)
        sys.exit(CheckFailed.exit_code)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
