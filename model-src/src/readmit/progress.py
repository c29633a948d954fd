"""Stage-by-stage progress of long commands, on stderr so stdout stays machine-readable
(Katib's StdOut metrics collector parses `readmit train`'s stdout)."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable

Progress = Callable[[str], None]


def quiet(_message: str) -> None:
    """The default for library calls (tuning trials, tests): say nothing."""


def reporter(command: str) -> Progress:
    """A Progress that prints `<command>: [<elapsed> s] <message>` to stderr."""
    started = time.monotonic()

    def report(message: str) -> None:
        print(f"{command}: [{time.monotonic() - started:6.1f} s] {message}", file=sys.stderr, flush=True)

    return report
