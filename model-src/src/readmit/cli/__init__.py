"""The `readmit` command: a thin shell over the package's logic functions.

Sub-commands are imported lazily so that `readmit data ...` does not pay for torch or MLflow: this table
is the one written exception to "imports at module top" (see model-src/README.md, Layers). Listing the
commands for `readmit --help` imports none of them: each one-line help is read from its module's source.
Each entry maps a command name to `module:attribute` of a click command or group.
"""

from __future__ import annotations

import ast
import importlib
import importlib.util
import os
import sys
import traceback
from pathlib import Path

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
    "pipeline": "readmit.cli.pipeline:pipeline",
    "registry": "readmit.cli.registry:registry",
    "demo": "readmit.cli.demo:demo",
    "export": "readmit.cli.export:export",
    "serve": "readmit.cli.serve:serve",
    "cds": "readmit.cli.cds:cds",
    "drift": "readmit.cli.drift:drift",
    "monitor": "readmit.cli.monitor:monitor",
    "canary": "readmit.cli.canary:canary",
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

    def format_commands(self, ctx, formatter):
        """click's listing, from the sources: importing every command module would import torch, MLflow
        and MLServer just to print one line each."""
        names = self.list_commands(ctx)
        if names:
            limit = formatter.width - 6 - max(len(name) for name in names)
            with formatter.section("Commands"):
                formatter.write_dl([(name, short_help(COMMANDS[name], limit)) for name in names])


def short_help(target: str, limit: int = 45) -> str:
    """The one line `readmit --help` shows for the command at `module:attribute`, as click makes it from
    the docstring of the decorated function (tests/cli compares it with the imported command's)."""
    module, attr = target.split(":")
    source = Path(importlib.util.find_spec(module).origin).read_text()
    function = next(
        node
        for node in ast.parse(source).body
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name == attr
    )
    return click.Command(attr, help=ast.get_docstring(function, clean=False)).get_short_help_str(limit)


EXAMPLES = """\b
Examples:
  readmit policy check --env all --no-registry
  readmit promote --env dev --version 3 --full --reason 'first model'
  readmit COMMAND --help   (each command shows an example of its own)"""


# An exception readmit did not expect: a bug, never the user's input. EX_SOFTWARE from sysexits.h, clear of
# the codes commands give meaning to (0 ok, 1 check failed, 2 bad input, 3 drift found).
INTERNAL_ERROR = 70
_debug = {"on": False}


def _set_debug(ctx, param, value: bool) -> bool:
    _debug["on"] = _debug["on"] or value
    return value


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]}, epilog=EXAMPLES)
@click.version_option(package_name="readmit")
@click.option(
    "--debug",
    is_flag=True,
    expose_value=False,
    is_eager=True,
    callback=_set_debug,
    help="Show Python tracebacks (for developers); also READMIT_DEBUG=1.",
)
def cli() -> None:
    """30-day readmission risk: data, training, manifests, policy, promotion and audit."""


def _where(exc: BaseException) -> str:
    """`readmit/<module>.py:line` of the innermost readmit frame (else the innermost frame), so a bug
    report can start from the one line a user sees."""
    marker = f"{os.sep}readmit{os.sep}"
    frames = traceback.extract_tb(exc.__traceback__)
    ours = [f for f in frames if marker in f.filename] or frames
    if not ours:
        return "?"
    path = ours[-1].filename
    return f"{path[path.rindex(marker) + 1 :] if marker in path else path}:{ours[-1].lineno}"


def main(argv: list[str] | None = None) -> None:
    """Entry point: bad input exits 2 with one line, failed checks exit 1 after listing problems, an
    unexpected exception exits 70 (INTERNAL_ERROR) with one line. --debug or READMIT_DEBUG=1 adds the
    traceback."""
    _debug["on"] = os.environ.get("READMIT_DEBUG", "") not in ("", "0")
    try:
        _run(argv)
    except Exception as exc:  # the last line of defence: one line, never a traceback
        if _debug["on"]:
            traceback.print_exc()
        # Only the type and the place: an exception's text may echo a value of the data (PHI).
        click.echo(
            f"readmit: internal error: {type(exc).__name__} at {_where(exc)}; this is a bug in readmit: "
            "rerun with --debug (or READMIT_DEBUG=1) for the traceback and report it",
            err=True,
        )
        sys.exit(INTERNAL_ERROR)


def _run(argv: list[str] | None) -> None:
    try:
        cli.main(args=argv, prog_name="readmit", standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("readmit: aborted", err=True)
        sys.exit(130)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except InputError as exc:
        if _debug["on"]:
            traceback.print_exc()
        click.echo(f"readmit: error: {exc}", err=True)
        sys.exit(InputError.exit_code)
    except CheckFailed as exc:
        for problem in exc.problems:
            click.echo(problem, err=True)
        click.echo(f"readmit: {exc}", err=True)
        sys.exit(CheckFailed.exit_code)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
