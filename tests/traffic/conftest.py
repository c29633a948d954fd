"""Two small registered versions (the serving tests' session model plus one more), exported once per
session, and one MLServer per test module serving both as Seldon Models `readmission-v1` and `-v2`."""

from __future__ import annotations

import json
import math
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest
import uvicorn
import yaml
from click.testing import CliRunner

from readmit.cli import cli
from readmit.envs.state import EnvState, dump
from readmit.serving import server
from readmit.traffic import experiment
from training._frames import using_store

SRC = Path(__file__).parents[2] / "model-src" / "src"


@pytest.fixture(scope="session")
def versions(served_model):
    """{registered version: exported folder} for versions 1 and 2 (2 trained with another seed)."""
    root = served_model["root"]
    runner = CliRunner()
    second = root / "exported-v2"
    with using_store(served_model["home"]):
        result = runner.invoke(
            cli,
            ["train", "--data", str(served_model["data"]), "--seed", "4", "--set", "epochs=2"],
            catch_exceptions=False,
        )
        assert result.exit_code == 0, result.output
        result = runner.invoke(
            cli, ["export", "--version", "2", "--out", str(second), "--data", str(served_model["data"])]
        )
        assert result.exit_code == 0, result.output
    return {1: served_model["exported"], 2: second}


def models_yaml(weights: dict[int, int], default: int, mirror: tuple[int, int] | None = None) -> str:
    """models.yaml as readmit promote writes it, plus `spec.mirror` when given (version, percent)."""
    state = EnvState({v: {experiment.VERSION_ANNOTATION: str(v)} for v in weights}, weights, default)
    docs = list(yaml.safe_load_all(dump(state)))
    if mirror is not None:
        version, percent = mirror
        docs.insert(
            0,
            {
                "apiVersion": "mlops.seldon.io/v1alpha1",
                "kind": "Model",
                "metadata": {"name": f"readmission-v{version}"},
                "spec": {"storageUri": f"s3://readmit-models/readmission/{version}"},
            },
        )
        docs[-1]["spec"]["mirror"] = {"name": f"readmission-v{version}", "percent": percent}
    return yaml.safe_dump_all([d for d in docs if d])


def serve_env_dev_cds(
    repo_root: Path, tmp: Path, weights: dict[int, int], env: dict[str, str], workers: int
) -> tuple[subprocess.Popen, str, Path]:
    """`readmit serve --env dev --cds` on a copy of the repo's apps/ and environments/ whose dev Experiment
    splits by `weights` (default version 1), with `env` over this environment (MLflow's variables left
    out); returns (process, base URL, its output file) once the CDS discovery answers. The caller stops
    it with SIGINT."""
    repo = tmp / "repo"
    for part in ("apps", "environments"):
        shutil.copytree(repo_root / part, repo / part)
    (repo / "model-src").mkdir()
    (repo / "environments/dev/models.yaml").write_text(models_yaml(weights, default=1))
    port = server.free_port()
    environ = {k: v for k, v in os.environ.items() if not k.startswith("MLFLOW_")}
    environ |= {"READMIT_REPO": str(repo), "PYTHONPATH": str(SRC), **env}
    out = tmp / "serve.out"
    command = [sys.executable, "-m", "readmit", "serve", "--env", "dev", "--cds", "--port", str(port)]
    with open(out, "wb") as sink:
        proc = subprocess.Popen(
            [*command, "--workers", str(workers)], env=environ, stdout=sink, stderr=subprocess.STDOUT, cwd=tmp
        )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 900
    try:
        while True:
            assert proc.poll() is None, out.read_text()
            assert time.monotonic() < deadline, out.read_text()
            try:
                if httpx.get(f"{base}/cds-services", timeout=2).status_code == 200:
                    return proc, base, out
            except httpx.HTTPError:
                time.sleep(1)
    except BaseException:  # not up: stopped here, as the caller never gets it
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=240)
        raise


def table_of(text: str) -> experiment.Table:
    return experiment.table([d for d in yaml.safe_load_all(text) if d])


class Running:
    def __init__(self, base: str, log: Path, home: Path):
        self.base, self.log, self.home = base, log, home


@pytest.fixture(scope="module")
def mlserver(versions, served_model, tmp_path_factory):
    """One MLServer (parallel_workers 0) serving readmission-v1_1 and readmission-v2_1."""
    tmp = tmp_path_factory.mktemp("traffic-mlserver")
    models = tmp / "models"
    names = [
        server.agent_layout(folder, models, f"readmission-v{v}", seldon_version=1)
        for v, folder in versions.items()
    ]
    port, metrics_port = server.free_port(), server.free_port()
    log = tmp / "inference.jsonl"
    out = open(tmp / "mlserver.out", "wb")  # noqa: SIM115 - closed after the server stops
    env = {
        "READMIT_INFERENCE_LOG": str(log),
        "READMIT_HOME": str(served_model["home"]),
        "PYTHONPATH": os.pathsep.join(filter(None, [str(SRC), os.environ.get("PYTHONPATH")])),
    }
    proc = server.start(models, port, 0, metrics_port, env=env, log=out)
    try:
        for name in names:
            server.wait_ready(f"http://127.0.0.1:{port}", name, proc)
        yield Running(f"http://127.0.0.1:{port}", log, served_model["home"])
    finally:
        server.stop(proc)
        out.close()


class InThread:
    """An ASGI app on uvicorn in a thread on 127.0.0.1 (stopped by `close`)."""

    def __init__(self, app):
        self.port = server.free_port()
        self.server = uvicorn.Server(
            uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning", access_log=False)
        )
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.thread.start()
        deadline = time.monotonic() + 30
        while not self.server.started:
            assert time.monotonic() < deadline, "router did not start"
            time.sleep(0.05)
        self.base = f"http://127.0.0.1:{self.port}"

    def close(self):
        self.server.should_exit = True
        self.thread.join(timeout=30)
        assert not self.thread.is_alive()


def example(versions) -> dict:
    return json.loads((versions[1] / "example-request.json").read_text())


def binomial_999(n: int, p: float) -> tuple[float, float]:
    half = 3.2905 * math.sqrt(n * p * (1 - p))  # two-sided 99.9% normal interval
    return n * p - half, n * p + half
