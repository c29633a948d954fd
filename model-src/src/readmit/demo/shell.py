"""Run one demo step: print it, time it, and stop the demo naming it when it fails. Children get their own
session, so a Ctrl-C reaches only the demo, which then stops the child (SIGINT, then SIGKILL) before it
leaves."""

from __future__ import annotations

import contextlib
import resource
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

from readmit.errors import CheckFailed
from readmit.progress import Progress, reporter

STOP_TIMEOUT_S = 30.0

_reporter: dict[str, Progress] = {"demo": reporter("demo")}


def restart_clock() -> None:
    """Elapsed times count from the start of the demo, not from the import of this module."""
    _reporter["demo"] = reporter("demo")


def say(message: str) -> None:
    """`demo: [<elapsed> s] <message>` on stderr, as every readmit command reports progress."""
    _reporter["demo"](message)


def cpu_seconds() -> float:
    """CPU seconds (user + system) of this process and of every child it has waited for: on a shared
    machine a step's CPU time says more about its cost than its elapsed time."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def stop(proc: subprocess.Popen, timeout: float = STOP_TIMEOUT_S) -> int:
    """SIGINT (what Ctrl-C sends; every readmit command cleans up on it), SIGKILL if it hangs."""
    if proc.poll() is None:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
    return proc.wait()


def readmit(
    args: list[str], env: dict[str, str], cwd: Path | None = None, outcomes: tuple[int, ...] = (0,)
) -> int:
    """`readmit ARGS` as a user would type it, its output streamed; returns the exit code. An exit code
    not in `outcomes` stops the demo naming the step (a gate's refusal, exit 1, may be an outcome)."""
    say("$ readmit " + " ".join(args))
    started, cpu = time.monotonic(), cpu_seconds()
    proc = subprocess.Popen(
        [sys.executable, "-m", "readmit", *args], env=env, cwd=cwd, start_new_session=True
    )
    try:
        code = proc.wait()
    finally:
        stop(proc)
    name = " ".join(a for a in args[:2] if not a.startswith("-"))
    say(f"readmit {name}: {time.monotonic() - started:.1f} s, cpu {cpu_seconds() - cpu:.1f} s (exit {code})")
    if code not in outcomes:
        raise CheckFailed(f"demo step `readmit {name}` failed with exit code {code}")
    return code


@contextlib.contextmanager
def stage(title: str) -> Iterator[None]:
    """A numbered part of the demo: its title, then its elapsed time."""
    say(f"== {title}")
    started, cpu = time.monotonic(), cpu_seconds()
    yield
    say(f"== {title}: done in {time.monotonic() - started:.1f} s, cpu {cpu_seconds() - cpu:.1f} s")
