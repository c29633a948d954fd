"""Serving figures: single-stay latency over HTTP (with explanation) at concurrency 1 and 8 (wall clock, and
the server's CPU per request), in-process batch scoring of 1,000-row batches with and without explanations
(rows per CPU second, so a shared machine gives comparable figures), the server's peak RSS, and the CPU the
body guard (readmit.serving.guard_middleware, on MLServer's app since the server starts as
`readmit-mlserver`) adds to a valid single-stay request, measured in-process on the ASGI call alone.

Trains one small synthetic model into a temporary registry, exports it, lays it out as Seldon's agent
does and runs the real MLServer on 127.0.0.1 (parallel_workers as --workers, 1 like Seldon's default).

    python bench/bench_serving.py [--requests 2000] [--workers 1]
"""

from __future__ import annotations

import argparse
import asyncio
import concurrent.futures
import hashlib
import json
import os
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

import numpy as np
import pandas as pd
from click.testing import CliRunner

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from _results import quick, record  # noqa: E402

from readmit import registry  # noqa: E402
from readmit.cli import cli  # noqa: E402
from readmit.features.clean import clean  # noqa: E402
from readmit.pyfunc import unwrap  # noqa: E402
from readmit.serving import guard, server  # noqa: E402
from readmit.serving.contract import INPUTS, RuntimeConfig  # noqa: E402
from readmit.serving.guard_middleware import BodyGuard  # noqa: E402
from readmit.serving.score import score  # noqa: E402
from readmit.serving.v2 import request_body  # noqa: E402
from training._frames import make_index, write_ingest  # noqa: E402


def _group(pid: int):
    """(/proc/<n>, its stat fields after the command name) of each live process in the process group
    rooted at `pid` (MLServer and its workers)."""
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            stat = (proc / "stat").read_text().rsplit(")", 1)[1].split()
            if int(stat[2]) == pid or int(proc.name) == pid:
                yield proc, stat
        except (OSError, IndexError, ValueError):
            continue


def _rss_kb(pid: int) -> int:
    """Resident set of the process group rooted at `pid`, in kB."""
    total = 0
    for proc, _ in _group(pid):
        try:
            status = (proc / "status").read_text()
            total += int(next(line for line in status.splitlines() if line.startswith("VmRSS")).split()[1])
        except (OSError, StopIteration, ValueError):
            continue  # exited meanwhile (or a zombie: no VmRSS)
    return total


def _cpu_seconds(pid: int) -> float:
    """User + system CPU of the process group rooted at `pid`, in seconds."""
    return sum(int(stat[11]) + int(stat[12]) for _, stat in _group(pid)) / os.sysconf("SC_CLK_TCK")


def _latencies(url: str, bodies: list[bytes], concurrency: int) -> np.ndarray:
    def one(body: bytes) -> float:
        request = urllib.request.Request(url, data=body, headers={"Content-Type": "application/json"})
        start = time.perf_counter()
        with urllib.request.urlopen(request, timeout=60) as response:
            response.read()
            assert response.status == 200
        return (time.perf_counter() - start) * 1000

    with concurrent.futures.ThreadPoolExecutor(concurrency) as pool:
        return np.array(list(pool.map(one, bodies)))


def _guard_cpu_us(body: bytes, calls: int) -> tuple[float, float]:
    """CPU microseconds per call of an ASGI app that reads `body` and answers 200: (alone, behind the
    body guard). The difference is what the guard adds to each valid inference request."""

    async def app(scope, receive, send):
        await receive()
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"{}"})

    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    scope = {"type": "http", "method": "POST", "path": "/v2/models/readmission_1/infer", "headers": headers}

    async def receive():
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(_message):
        return None

    async def run(target):
        for _ in range(calls):
            await target(scope, receive, send)

    out = []
    for target in (app, BodyGuard(app, guard.MAX_BODY_BYTES)):
        asyncio.run(run(target))  # warm-up
        start = time.process_time()
        asyncio.run(run(target))
        out.append((time.process_time() - start) / calls * 1e6)
    return out[0], out[1]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=quick(2000, 200))
    parser.add_argument("--workers", type=int, default=1)
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="bench-serving-"))
    os.environ["READMIT_HOME"] = str(root / "state")
    os.environ.pop("MLFLOW_TRACKING_URI", None)
    df = make_index(1500, seed=21)
    for column in ("patient_key", "encounter_key"):
        df[column] = [hashlib.sha256(k.encode()).hexdigest() for k in df[column]]
    data = write_ingest(root / "ingest", df)
    print("training a small model ...", flush=True)
    result = CliRunner().invoke(cli, ["train", "--data", str(data), "--seed", "3"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    result = CliRunner().invoke(cli, ["export", "--version", "1", "--out", str(root / "export")])
    assert result.exit_code == 0, result.output

    rows, _ = clean(df)
    rows = rows[list(INPUTS)].reset_index(drop=True)
    bundle = unwrap(registry.load_model(1))
    bundle.threads = 1  # as the runtime sets it: one thread per MLServer worker
    config = RuntimeConfig("readmission", "1", {"medium": 0.1, "high": 0.3})
    batch = pd.concat([rows] * (1000 // len(rows) + 1)).iloc[:1000].reset_index(drop=True)
    print(f"selected model: {bundle.selected}")
    for explain in (False, True):
        score(bundle, batch, config, explain)  # warm-up
        cpu = []
        while sum(cpu) < 5 or len(cpu) < 5:
            start = time.process_time()
            score(bundle, batch, config, explain)
            cpu.append(time.process_time() - start)
        print(
            f"in-process batch scoring, 1,000-row batches, explain={explain}: "
            f"{len(batch) / np.median(cpu):,.0f} rows/s by CPU time (median of {len(cpu)} batches; "
            f"best {len(batch) / min(cpu):,.0f})"
        )
        rate = len(batch) / np.median(cpu)
        record(
            f"in-process batch scoring, explain={explain}, by CPU time",
            rate,
            "rows/s",
            None if explain else 20_000,
            ">=",
        )

    single = json.dumps(request_body(rows.iloc[[0]], {"explain": True})).encode()
    alone, guarded = _guard_cpu_us(single, quick(50_000, 5_000))
    print(
        f"body guard on a valid {len(single):,}-byte single-stay request (in-process ASGI call, CPU): "
        f"{guarded - alone:.1f} us added ({alone:.1f} us without, {guarded:.1f} us with)"
    )
    record("body guard CPU added per valid single-stay request (in-process)", guarded - alone, "us")

    models = root / "models"
    name = server.agent_layout(root / "export", models, "readmission", 1)
    port = server.free_port()
    env = {"READMIT_INFERENCE_LOG": str(root / "inference.jsonl")}
    proc = server.start(models, port, args.workers, server.free_port(), env=env)
    peak = [0]
    stop = threading.Event()

    def sample():
        while not stop.is_set():
            peak[0] = max(peak[0], _rss_kb(proc.pid))
            time.sleep(0.2)

    sampler = threading.Thread(target=sample, daemon=True)
    try:
        server.wait_ready(f"http://127.0.0.1:{port}", name, proc)
        sampler.start()
        url = f"http://127.0.0.1:{port}/v2/models/{name}/infer"
        bodies = [
            json.dumps(request_body(rows.iloc[[i % len(rows)]], {"explain": True})).encode()
            for i in range(args.requests)
        ]
        _latencies(url, bodies[:100], 1)  # warm-up
        for concurrency in (1, 8):
            cpu_before = _cpu_seconds(proc.pid)
            ms = _latencies(url, bodies, concurrency)
            server_cpu_ms = (_cpu_seconds(proc.pid) - cpu_before) * 1000 / len(bodies)
            print(
                f"HTTP single-stay with explanation, concurrency {concurrency}, workers {args.workers}: "
                f"p50 {np.percentile(ms, 50):.2f} ms, p99 {np.percentile(ms, 99):.2f} ms (wall), "
                f"server CPU {server_cpu_ms:.2f} ms per request, {len(ms)} requests"
            )
            label = f"HTTP single stay with explanation, concurrency {concurrency}, {len(ms)} requests"
            record(f"{label}: p99", np.percentile(ms, 99), "ms", 10 if concurrency == 1 else None)
            record(f"{label}: p50", np.percentile(ms, 50), "ms")
    finally:
        stop.set()
        server.stop(proc)
    print(f"peak server RSS (MLServer + workers): {peak[0] / 1024:.0f} MiB")
    record(f"peak server RSS (MLServer + {args.workers} workers)", peak[0] / 1024, "MiB")


if __name__ == "__main__":
    main()
