"""`readmit serve` prints the URL and a curl example, answers that example, and stops on SIGINT."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from readmit.serving import server


def test_serve_answers_the_printed_example_and_stops_on_sigint(served_model_env, tmp_path):
    port = server.free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("MLFLOW_")}
    env |= served_model_env(tmp_path / "log.jsonl")
    proc = subprocess.Popen(
        [sys.executable, "-m", "readmit", "serve", "--version", "1", "--port", str(port), "--workers", "0"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        cwd=tmp_path,
    )
    lines = []
    try:
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline and not any(line.startswith("curl ") for line in lines):
            line = proc.stdout.readline()
            if not line and proc.poll() is not None:
                break
            lines.append(line.strip())
        curl = next(line for line in lines if line.startswith("curl "))
        assert f"http://127.0.0.1:{port}/v2/models/readmission_1/infer" in curl
        example = Path(curl.split("-d @", 1)[1])
        request = urllib.request.Request(
            curl.split()[4], data=example.read_bytes(), headers={"Content-Type": "application/json"}
        )
        with urllib.request.urlopen(request, timeout=60) as response:
            assert response.status == 200
            assert len(json.loads(response.read())["outputs"][0]["data"]) == 3
    finally:
        proc.send_signal(signal.SIGINT)
        out, _ = proc.communicate(timeout=240)  # generous: CI machines are shared
    assert proc.returncode == 0, out
    assert "MLServer stopped" in out
    try:
        urllib.request.urlopen(f"http://127.0.0.1:{port}/v2/health/live", timeout=2)
        raise AssertionError("the server still answers after SIGINT")
    except OSError:
        pass


def test_a_server_that_cannot_start_leaves_the_sigterm_handler_as_it_was(monkeypatch):
    def cannot_start(*_, **__):
        raise FileNotFoundError("mlserver")

    monkeypatch.setattr(server, "start", cannot_start)
    before = signal.getsignal(signal.SIGTERM)
    with pytest.raises(FileNotFoundError), server.running(Path("models"), 1, 0, 2, print, "MLServer"):
        pass
    assert signal.getsignal(signal.SIGTERM) is before
