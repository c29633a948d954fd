"""`readmit serve`: export a version to a cache folder, lay it out as Seldon's agent does, run MLServer
on 127.0.0.1 until Ctrl-C (or SIGTERM), then stop it and its workers."""

from __future__ import annotations

from pathlib import Path

from readmit.paths import state_dir
from readmit.registry import MODEL_NAME
from readmit.serving import server
from readmit.serving.export import EXAMPLE_FILE, export, resolve


def curl_example(base_url: str, model: str, example: Path) -> str:
    return (
        f"curl -s -X POST {base_url}/v2/models/{model}/infer "
        f"-H 'Content-Type: application/json' -d @{example}"
    )


def serve(version, alias, port: int, workers: int, echo, data_dir: Path | None = None) -> int:
    number = resolve(version, alias)
    cache = state_dir() / "serve" / str(number)
    exported = cache / "export"
    export(exported, version=number, data_dir=data_dir)
    name = server.agent_layout(exported, cache / "models", MODEL_NAME, seldon_version=number)
    base = f"http://127.0.0.1:{port}"
    metrics_port = server.free_port()
    with server.running(cache / "models", port, workers, metrics_port, echo, "MLServer") as proc:
        server.wait_ready(base, name, proc)
        echo(f"serving {MODEL_NAME} version {number} at {base}/v2/models/{name} (workers: {workers})")
        echo(f"metrics: http://127.0.0.1:{metrics_port}/metrics; example request: {exported / EXAMPLE_FILE}")
        echo(curl_example(base, name, exported / EXAMPLE_FILE))
        echo("press Ctrl-C to stop")
        proc.wait()
        return proc.returncode
    return 0  # stopped by Ctrl-C or SIGTERM
