"""MLServer started on the session's trained model (`served_model`, tests/conftest.py) as few times as
possible (once per worker mode, once as the Seldon Server pod starts it), always stopped."""

from __future__ import annotations

import json
import os
import tomllib
import urllib.request
from pathlib import Path

import pytest
import yaml

from readmit.manifests.servers import load_server_configs, merged
from readmit.serving import guard, server

# The body guard's limit for the servers started here: small, so the oversized cases stay cheap, yet above
# test_server.BIG (~7 MB of JSON), which must still reach the runtime and get its own 413 for the data.
BODY_LIMIT = 8 * 1024 * 1024
# What Seldon's ServerConfig gives MLServer as its gRPC message limit (../shared/seldon), so the launcher's
# receive cap is tested against the value the pod really has.
SELDON_GRPC_MAX_MESSAGE_LENGTH = "1048576000"


class Served:
    def __init__(self, base: str, model: str, metrics: str, log: Path, grpc: str | None = None):
        self.base, self.model, self.metrics, self.log, self.grpc = base, model, metrics, log, grpc

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


def _serve(served_model, served_model_env, workers: int, tmp: Path):
    models = tmp / "mnt" / "agent" / "models"
    name = server.agent_layout(served_model["exported"], models, "readmission", seldon_version=1)
    port, metrics_port, grpc_port = server.free_port(), server.free_port(), server.free_port()
    log = tmp / "inference.jsonl"
    out = open(tmp / "mlserver.out", "wb")  # noqa: SIM115 - closed after the server stops
    env = {
        **served_model_env(log),
        guard.LIMIT_ENV: str(BODY_LIMIT),
        "MLSERVER_GRPC_MAX_MESSAGE_LENGTH": SELDON_GRPC_MAX_MESSAGE_LENGTH,
    }
    proc = server.start(models, port, workers, metrics_port, env=env, log=out, grpc_port=grpc_port)
    try:
        server.wait_ready(f"http://127.0.0.1:{port}", name, proc)
        base, metrics = f"http://127.0.0.1:{port}", f"http://127.0.0.1:{metrics_port}"
        served = Served(base, name, metrics, log, grpc=f"127.0.0.1:{grpc_port}")
        served.output = tmp / "mlserver.out"  # MLServer's own stdout and stderr
        yield served
    finally:
        server.stop(proc)
        out.close()


@pytest.fixture(scope="session")
def served(served_model, served_model_env, tmp_path_factory):
    """parallel_workers: 0 (inference in the server process)."""
    yield from _serve(served_model, served_model_env, 0, tmp_path_factory.mktemp("serve-w0"))


@pytest.fixture(scope="session")
def served_workers(served_model, served_model_env, tmp_path_factory):
    """parallel_workers: 1, as Seldon's ServerConfig sets MLSERVER_PARALLEL_WORKERS."""
    yield from _serve(served_model, served_model_env, 1, tmp_path_factory.mktemp("serve-w1"))


class ServedAsSeldon(Served):
    """`Served`, plus what the Seldon pod's start showed: the env it ran with (paths re-rooted under the
    test's folder), the model's state before the repository load, and the load's answer."""

    def __init__(self, base, model, metrics, log, env, before_load, load_status):
        super().__init__(base, model, metrics, log)
        self.env, self.before_load, self.load_status = env, before_load, load_status


def mlserver_container(repo: Path, seldon_config: Path) -> dict:
    """The `mlserver` container of the Server `readmission` merged onto Seldon's ServerConfig, as the
    operator builds it (readmit.manifests.seldon_pod)."""
    server_doc = yaml.safe_load((repo / "apps" / "readmission" / "server.yaml").read_text())
    _, pod = merged(server_doc, load_server_configs(seldon_config))
    (container,) = [c for c in pod["containers"] if c["name"] == "mlserver"]
    return container


def launcher_script() -> str:
    """The console script that runs readmit.serving.launch (model-src/pyproject.toml), which
    `server.start` runs as `python -m`: the pod's command and the tests' start the same code."""
    project = tomllib.loads((Path(__file__).parents[2] / "model-src" / "pyproject.toml").read_text())
    scripts = project["project"]["scripts"]
    (name,) = [n for n, target in scripts.items() if target == f"{server.LAUNCHER}:main"]
    return name


def rerooted(value: str, root: Path) -> str:
    """An absolute path of the pod, moved under `root` (the test's stand-in for the pod's filesystem)."""
    return str(root / value.lstrip("/")) if value.startswith("/") else value


@pytest.fixture(scope="session")
def served_as_seldon(served_model, tmp_path_factory, repo_root, seldon_config_dir):
    """MLServer started as the Server pod starts it: the merged mlserver container's command, args and
    literal env (MLSERVER_LOAD_MODELS_AT_STARTUP=false, MLSERVER_PARALLEL_WORKERS=1, the models dir, the
    inference log path, ...), its paths under a temporary root; only host and ports are moved to free
    loopback ones. The model is laid out as the agent lays it out, then loaded as the agent loads it,
    through the model repository API (the agent calls the gRPC RepositoryModelLoad, which MLServer serves
    with the same handler as the REST `POST /v2/repository/models/<name>/load` used here)."""
    container = mlserver_container(repo_root, seldon_config_dir)
    root = tmp_path_factory.mktemp("seldon-pod")
    env = {e["name"]: rerooted(e["value"], root) for e in container["env"] if "value" in e}
    models = Path(rerooted(container["args"][-1], root))
    assert container["command"] == [launcher_script()] and container["args"][:-1] == ["start"]
    assert Path(env["MLSERVER_MODELS_DIR"]) == models
    name = server.agent_layout(served_model["exported"], models, "readmission", seldon_version=1)
    port, metrics_port, grpc_port = server.free_port(), server.free_port(), server.free_port()
    out = open(root / "mlserver.out", "wb")  # noqa: SIM115 - closed after the server stops
    pythonpath = [str(Path(__file__).parents[2] / "model-src" / "src"), os.environ.get("PYTHONPATH")]
    # Nothing else of the test's environment that the pod lacks: no READMIT_HOME (the trained fixture set
    # it) and no pseudonym key (rows arrive pseudonymous; serving never derives a key).
    blanked = {"READMIT_HOME": "", "READMIT_REPO": "", "READMIT_PSEUDONYM_KEY": ""}
    extra = {**blanked, **env, "PYTHONPATH": os.pathsep.join(filter(None, pythonpath))}
    workers = int(env["MLSERVER_PARALLEL_WORKERS"])
    proc = server.start(models, port, workers, metrics_port, env=extra, log=out, grpc_port=grpc_port)
    base = f"http://127.0.0.1:{port}"
    try:
        server.wait_live(base, proc)
        served = Served(base, name, f"http://127.0.0.1:{metrics_port}", Path(env["READMIT_INFERENCE_LOG"]))
        before = {
            "ready": _status(f"{base}/v2/models/{name}/ready"),
            "index": served.post({}, "/v2/repository/index"),
        }
        load_status = _status(f"{base}/v2/repository/models/{name}/load", data=b"")
        served = ServedAsSeldon(served.base, name, served.metrics, served.log, env, before, load_status)
        served.grpc, served.output = f"127.0.0.1:{grpc_port}", root / "mlserver.out"
        yield served
    finally:
        server.stop(proc)
        out.close()


def _status(url: str, data: bytes | None = None) -> int:
    """The HTTP status of a GET (or a POST of `data`)."""
    try:
        with urllib.request.urlopen(url, data=data, timeout=300) as response:
            return response.status
    except urllib.error.HTTPError as err:
        return err.code
