"""Run MLServer 1.7 on loopback over a model folder laid out as Seldon's agent lays it out.

`agent_layout` copies an exported folder to `<root>/<model>_<v>/<v>/` and re-writes model-settings.json
the way the agent does (readmit.serving.export explains the source), so that a local server, the tests
and the Server pod (`readmit-mlserver start /mnt/agent/models`) load the very same thing, through the same
launcher (readmit.serving.launch: MLServer's CLI with the body guard).
"""

from __future__ import annotations

import ctypes
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from readmit.errors import InputError
from readmit.serving.export import SETTINGS_FILE

# the fields of model-settings.json that survive the agent's re-write (its Go ModelSettings struct)
AGENT_FIELDS = ("name", "inputs", "outputs", "platform", "versions", "parallel_workers", "implementation")
AGENT_PARAMETERS = ("uri", "version", "format", "content_type", "extra", "environment_tarball")
STOP_TIMEOUT_S = 20.0
PR_SET_PDEATHSIG = 1  # linux/prctl.h
LAUNCHER = "readmit.serving.launch"  # the module of the `readmit-mlserver` console script


def agent_layout(exported: Path, models_root: Path, model: str, seldon_version: int = 1) -> str:
    """Copy `exported` into the agent's layout under `models_root`; returns the served model name."""
    name = f"{model}_{seldon_version}"
    target = Path(models_root) / name / str(seldon_version)
    if target.exists():
        shutil.rmtree(target)
    shutil.copytree(exported, target)
    settings = json.loads((target / SETTINGS_FILE).read_text())
    kept = {k: settings[k] for k in AGENT_FIELDS if k in settings}
    params = {k: v for k, v in (settings.get("parameters") or {}).items() if k in AGENT_PARAMETERS}
    kept["name"] = name
    kept["parameters"] = {**params, "version": str(seldon_version)}
    (target / SETTINGS_FILE).write_text(json.dumps(kept))
    return name


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def command(models_root: Path) -> list[str]:
    """The one command line that starts MLServer here: `readmit-mlserver start <models_root>` (MLServer's
    CLI with the body guard, readmit.serving.launch), as `python -m` of this interpreter, so that the code
    on this interpreter's path runs (an editable install or a checkout on PYTHONPATH) and no installed
    console script is needed."""
    return [sys.executable, "-m", LAUNCHER, "start", str(models_root)]


def start(
    models_root: Path,
    port: int,
    workers: int,
    metrics_port: int,
    env: dict | None = None,
    log=None,
    grpc_port: int | None = None,
):
    """Start `readmit-mlserver start models_root` on 127.0.0.1 in its own process group (gRPC on
    `grpc_port`, else on a free port)."""
    environ = {
        **os.environ,
        **(env or {}),
        "MLSERVER_HOST": "127.0.0.1",
        "MLSERVER_HTTP_PORT": str(port),
        "MLSERVER_GRPC_PORT": str(grpc_port or free_port()),
        "MLSERVER_METRICS_PORT": str(metrics_port),
        "MLSERVER_PARALLEL_WORKERS": str(workers),
        "MLSERVER_METRICS_DIR": str(Path(models_root).parent / ".metrics"),
    }
    Path(environ["MLSERVER_METRICS_DIR"]).mkdir(parents=True, exist_ok=True)
    return subprocess.Popen(
        command(models_root),
        env=environ,
        stdout=log or subprocess.DEVNULL,
        stderr=subprocess.STDOUT if log else subprocess.DEVNULL,
        start_new_session=True,
        preexec_fn=_die_with_parent,
    )


def _die_with_parent() -> None:
    """In the child before exec (Linux): SIGTERM it when the process that started it dies, so a killed
    `readmit serve`, test or benchmark never leaves an orphaned server behind."""
    if sys.platform.startswith("linux"):
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


def wait_ready(base_url: str, model: str, proc, timeout: float = 180.0) -> None:
    """Until `model` answers ready (it is loaded)."""
    _wait(f"{base_url}/v2/models/{model}/ready", f"{model} was ready", proc, timeout)


def wait_live(base_url: str, proc, timeout: float = 180.0) -> None:
    """Until the server answers live, loaded models or not (Seldon's probes ask this; with
    MLSERVER_LOAD_MODELS_AT_STARTUP=false no model is ready until it is loaded through the repository API)."""
    _wait(f"{base_url}/v2/health/live", "it was live", proc, timeout)


def _wait(url: str, what: str, proc, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise InputError(f"MLServer exited with code {proc.returncode} before {what}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.5)
    stop(proc)
    raise InputError(f"MLServer did not answer 200 at {url} within {timeout:.0f} s")


def stop(proc) -> int:
    """SIGINT to the server's process group (MLServer shuts down gracefully on it), SIGKILL if it hangs."""
    if proc.poll() is None:
        try:
            os.killpg(proc.pid, signal.SIGINT)
            proc.wait(timeout=STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        except ProcessLookupError:
            pass
    return proc.wait()


@contextmanager
def running(models_dir: Path, port: int, workers: int, metrics_port: int, echo, what: str) -> Iterator:
    """MLServer on `models_dir` for the block; SIGTERM stops it the way Ctrl-C does (the block is left, the
    interrupt swallowed), and MLServer is stopped and reaped whatever happens. `what` names it in the
    closing line."""
    proc = start(models_dir, port, workers, metrics_port, log=None)
    previous = signal.signal(signal.SIGTERM, _interrupt)
    try:
        yield proc
    except KeyboardInterrupt:
        echo("stopping ...")
    finally:
        code = stop(proc)
        signal.signal(signal.SIGTERM, previous)
        echo(f"{what} stopped (MLServer exit code {code})")


def _interrupt(*_):
    raise KeyboardInterrupt
