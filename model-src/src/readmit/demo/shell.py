"""Run one demo step: print it, time it, and stop the demo naming it when it fails. Children get their own
session, so a Ctrl-C reaches only the demo, which then stops the child (SIGINT, then SIGKILL) before it
leaves.

Steps that do not wait for each other may run ahead in a second thread (`ahead`): their output goes to a
log file that is replayed, and followed until they end, when the demo reaches them, so what the user reads
keeps the loop's order. Each command's CPU time (user + system, with the children it waited for) is read
from the kernel when it is reaped (`os.wait4`), so a step's figure stays its own while others overlap."""

from __future__ import annotations

import contextlib
import os
import resource
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from readmit.errors import CheckFailed

STOP_TIMEOUT_S = 30.0
FOLLOW_EVERY_S = 0.5

_clock = {"start": time.monotonic()}
_local = threading.local()  # per thread: `sink` (a log file, None: the terminal) and `cpu` (the ledger)
_live: set[subprocess.Popen] = set()
_lock = threading.Lock()
_stopping = threading.Event()


def restart_clock() -> None:
    """Elapsed times count from the start of the demo, not from the import of this module."""
    _clock["start"] = time.monotonic()
    _stopping.clear()


def say(message: str) -> None:
    """`demo: [<elapsed> s] <message>` on stderr (as every readmit command reports progress), or in the
    log of steps running ahead."""
    line = f"demo: [{time.monotonic() - _clock['start']:6.1f} s] {message}"
    print(line, file=getattr(_local, "sink", None) or sys.stderr, flush=True)


def spent() -> float:
    """CPU seconds of the commands this thread has run (and of steps it took over from `ahead`), plus
    this process's own: a step's cost, which on a shared machine says more than its elapsed time."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    return getattr(_local, "cpu", 0.0) + own.ru_utime + own.ru_stime


def total_cpu_seconds() -> float:
    """CPU seconds of this process and of every child it has reaped."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def spawn(args: list[str], env: dict[str, str], cwd: Path | None = None) -> subprocess.Popen:
    """`readmit ARGS` in its own session, its output to the terminal (or the running-ahead log)."""
    sink = getattr(_local, "sink", None)
    with _lock:
        if _stopping.is_set():
            raise KeyboardInterrupt
        proc = subprocess.Popen(
            [sys.executable, "-m", "readmit", *args],
            env=env,
            cwd=cwd,
            start_new_session=True,
            stdout=sink,
            stderr=subprocess.STDOUT if sink else None,
        )
        _live.add(proc)
    return proc


def _reaped(proc: subprocess.Popen, block: bool) -> bool:
    """Reap `proc` once it has exited (waiting for it when `block`), adding its CPU to this thread's
    ledger; False while it runs."""
    if proc.returncode is None:
        try:
            pid, status, usage = os.wait4(proc.pid, 0 if block else os.WNOHANG)
        except ChildProcessError:  # reaped by Popen already (stopped from the other thread)
            proc.wait()
            return True
        if pid == 0:
            return False
        proc.returncode = os.waitstatus_to_exitcode(status)
        _local.cpu = getattr(_local, "cpu", 0.0) + usage.ru_utime + usage.ru_stime
    return True


def stop(proc: subprocess.Popen, timeout: float = STOP_TIMEOUT_S) -> int:
    """SIGINT (what Ctrl-C sends; every readmit command cleans up on it), SIGKILL if it hangs."""
    if not _reaped(proc, block=False):
        proc.send_signal(signal.SIGINT)
        deadline = time.monotonic() + timeout
        while not _reaped(proc, block=False) and time.monotonic() < deadline:
            time.sleep(0.1)
        if proc.returncode is None:
            proc.kill()
            _reaped(proc, block=True)
    with _lock:
        _live.discard(proc)
    return proc.returncode


def stop_all() -> None:
    """Stop every command still running (steps running ahead when the demo fails or is interrupted)."""
    with _lock:
        _stopping.set()
        running = list(_live)
    for proc in running:
        stop(proc)


def readmit(
    args: list[str], env: dict[str, str], cwd: Path | None = None, outcomes: tuple[int, ...] = (0,)
) -> int:
    """`readmit ARGS` as a user would type it, its output streamed; returns the exit code. An exit code
    not in `outcomes` stops the demo naming the step (a gate's refusal, exit 1, may be an outcome)."""
    say("$ readmit " + " ".join(args))
    started, cpu = time.monotonic(), getattr(_local, "cpu", 0.0)
    proc = spawn(args, env, cwd)
    try:
        _reaped(proc, block=True)
    finally:
        code = stop(proc)
    name = " ".join(a for a in args[:2] if not a.startswith("-"))
    used = getattr(_local, "cpu", 0.0) - cpu
    say(f"readmit {name}: {time.monotonic() - started:.1f} s, cpu {used:.1f} s (exit {code})")
    if code not in outcomes:
        raise CheckFailed(f"demo step `readmit {name}` failed with exit code {code}")
    return code


@dataclass
class Ahead:
    title: str
    log: Path
    future: Future

    def result(self):
        """Replay the log, follow it until the steps end (never a silent wait), and return their value;
        their CPU time now counts for the caller's step. A failure among them is raised here."""
        say(f"{self.title}: started ahead, while the part before ran; its output ({self.log}):")
        with open(self.log, encoding="utf-8", errors="replace") as log:
            while True:
                finished = self.future.done()
                if chunk := log.read():
                    sys.stderr.write(chunk)
                    sys.stderr.flush()
                if finished:
                    break
                time.sleep(FOLLOW_EVERY_S)
        value, cpu = self.future.result()
        _local.cpu = getattr(_local, "cpu", 0.0) + cpu
        return value


@contextlib.contextmanager
def ahead(title: str, log: Path, steps: Callable, *args) -> Iterator[Ahead]:
    """Start `steps(*args)` in a second thread, its output to `log`; the block takes its result. When the
    block fails or is interrupted, the steps' command is stopped before the demo goes on leaving."""

    def diverted():
        with open(log, "w", encoding="utf-8") as sink:
            _local.sink, _local.cpu = sink, 0.0
            return steps(*args), _local.cpu

    log.parent.mkdir(parents=True, exist_ok=True)
    log.touch()
    pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="demo-ahead")
    try:
        yield Ahead(title, log, pool.submit(diverted))
    except BaseException:
        stop_all()
        raise
    finally:
        pool.shutdown(wait=True)


@contextlib.contextmanager
def stage(title: str) -> Iterator[None]:
    """A numbered part of the demo: its title, then its elapsed and CPU time."""
    say(f"== {title}")
    started, cpu = time.monotonic(), spent()
    yield
    say(f"== {title}: done in {time.monotonic() - started:.1f} s, cpu {spent() - cpu:.1f} s")
