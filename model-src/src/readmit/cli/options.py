"""Options shared by the commands, so each means the same everywhere.

`--env`: one environment of environments/order.yaml, or `all` (every one, in promotion order).
Commands that read (audit, manifests check, policy check) default to all, and to only the PATHs when
PATHs are given; commands that change one environment (gate, promote, rollback) require it. The choices
are read from the repo when a command parses or shows its help, so `readmit --help` stays fast and
nothing here keeps its own list.
"""

from __future__ import annotations

import click

from readmit import envs
from readmit.errors import InputError


class EnvChoice(click.Choice):
    """click.Choice over `envs.choices()`, read when first needed."""

    def __init__(self) -> None:
        super().__init__([])

    @property
    def choices(self):  # type: ignore[override]
        return envs.choices()

    @choices.setter
    def choices(self, _value) -> None:
        pass


def env_option(required: bool = False, help: str = "environment, or all: every one in promotion order"):
    """`--env`; not given on a reading command means all (with PATHs: only the PATHs)."""
    return click.option("--env", "env", type=EnvChoice(), required=required, default=None, help=help)


def selected(env: str | None, paths: tuple | list = ()) -> list[str] | None:
    """The environments a reading command checks: None means its default (every environment, plus what
    it checks besides overlays), which `--env all` also means when no PATHs are given."""
    if env is None or (not paths and env == envs.ALL):
        return None
    return envs.resolve(env)


def one_env(env: str, why: str) -> str:
    """ENV of a command that acts on one environment: `--env all` is refused with `why`."""
    if env == envs.ALL:
        raise InputError(f"--env all: {why}; name one of {', '.join(envs.names())}")
    return env


def example(*lines: str) -> str:
    """A help epilog: the example lines a user can paste."""
    return "\b\nExample:\n" + "\n".join(f"  {line}" for line in lines)
