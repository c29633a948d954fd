"""MLServer started on the session's trained model (`trained`, tests/conftest.py) as few
times as possible (once per worker mode), always stopped."""

from __future__ import annotations

import json
import os
import urllib.request
from pathlib import Path

import pytest

from readmit.serving import server


class Served:
    def __init__(self, base: str, model: str, metrics: str, log: Path):
        self.base, self.model, self.metrics, self.log = base, model, metrics, log

    def post(self, body, path: str | None = None) -> tuple[int, dict]:
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        request = urllib.request.Request(
            f"{self.base}{path or f'/v2/models/{self.model}/infer'}",
            data=data,
            headers={"Content-Type": "application/json"},
        )
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                return response.status, json.loads(response.read())
        except urllib.error.HTTPError as err:
            return err.code, json.loads(err.read() or b"{}")

    def get(self, path: str, base: str | None = None) -> tuple[int, str]:
        with urllib.request.urlopen(f"{base or self.base}{path}", timeout=30) as response:
            return response.status, response.read().decode()

    def get_metrics(self) -> tuple[int, str]:
        return self.get("/metrics", base=self.metrics)


def _serve(trained, workers: int, tmp: Path):
    models = tmp / "mnt" / "agent" / "models"
    name = server.agent_layout(trained["exported"], models, "readmission", seldon_version=1)
    port, metrics_port = server.free_port(), server.free_port()
    log = tmp / "inference.jsonl"
    out = open(tmp / "mlserver.out", "wb")  # noqa: SIM115 - closed after the server stops
    env = {
        "READMIT_INFERENCE_LOG": str(log),
        "READMIT_HOME": str(trained["home"]),
        "PYTHONPATH": os.pathsep.join(
            filter(None, [str(Path(__file__).parents[2] / "model-src" / "src"), os.environ.get("PYTHONPATH")])
        ),
    }
    proc = server.start(models, port, workers, metrics_port, env=env, log=out)
    try:
        server.wait_ready(f"http://127.0.0.1:{port}", name, proc)
        yield Served(f"http://127.0.0.1:{port}", name, f"http://127.0.0.1:{metrics_port}", log)
    finally:
        server.stop(proc)
        out.close()


@pytest.fixture(scope="session")
def served(trained, tmp_path_factory):
    """parallel_workers: 0 (inference in the server process)."""
    yield from _serve(trained, 0, tmp_path_factory.mktemp("serve-w0"))


@pytest.fixture(scope="session")
def served_workers(trained, tmp_path_factory):
    """parallel_workers: 1, as Seldon's ServerConfig sets MLSERVER_PARALLEL_WORKERS."""
    yield from _serve(trained, 1, tmp_path_factory.mktemp("serve-w1"))
