"""`readmit serve --env ENV --cds` for the length of a block: started in the demo's checkout (so it serves
that checkout's environments/ENV by its Experiment), waited for, and stopped with SIGINT (SIGKILL if it
hangs) when the block ends, fails or is interrupted with Ctrl-C."""

from __future__ import annotations

import contextlib
import socket
import subprocess
import time
from collections.abc import Iterator

import httpx

from readmit.demo import shell
from readmit.demo.workspace import Workspace
from readmit.errors import CheckFailed

READY_TIMEOUT_S = 300.0
# MLServer in-process: one process less to start per phase; `readmit serve` defaults to one worker.
WORKERS = "0"


def free_port() -> int:
    """A free loopback port (readmit.serving.server has the same; importing it loads the model stack)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def serving(ws: Workspace, env: str) -> Iterator[str]:
    """Yields the router's base URL once the Experiment's models answer."""
    port = free_port()
    args = ["serve", "--env", env, "--cds", "--port", str(port), "--workers", WORKERS]
    shell.say("$ readmit " + " ".join(args))
    started, cpu = time.monotonic(), shell.spent()
    proc = shell.spawn(args, ws.env, cwd=ws.checkout)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_ready(base, proc)
        shell.say(f"serving {env} at {base} (ready after {time.monotonic() - started:.1f} s)")
        yield base
    finally:
        code = shell.stop(proc)
        shell.say(
            f"stopped readmit serve --env {env} (exit {code}; {time.monotonic() - started:.1f} s,"
            f" cpu {shell.spent() - cpu:.1f} s with the requests sent)"
        )


def wait_ready(base: str, proc: subprocess.Popen) -> None:
    """The router answers ready once MLServer has loaded every Model of the Experiment."""
    deadline = time.monotonic() + READY_TIMEOUT_S
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise CheckFailed(f"readmit serve exited with code {proc.returncode} before it was ready")
        try:
            if httpx.get(f"{base}/cds-services", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise CheckFailed(f"readmit serve did not answer at {base} within {READY_TIMEOUT_S:.0f} s")
