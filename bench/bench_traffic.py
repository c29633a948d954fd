"""Traffic figures: the router's added latency over calling MLServer directly (p50/p99), and a CDS Hooks
request end to end (prefetch -> de-identified row -> router -> MLServer -> card) with a year of history.

Trains two small versions into a temporary registry, writes a 90/10 Experiment into a copy of the repo's
overlay and runs the real `readmit serve --env dev --cds` (MLServer with both versions behind the router).
Direct and routed requests alternate one by one (same stay, same keep-alive client type, the routed one
pinned to the same version with x-seldon-route), so machine load hits both alike.

CPU time per request is printed beside the wall times (they are what a shared machine cannot spoil): the
`readmit serve` process (router and CDS service) and the MLServer processes under it, read from /proc.

    python bench/bench_traffic.py [--requests 2000] [--cds-requests 500] [--workers 1]
    QUICK=1 python bench/bench_traffic.py    # a short run: 200 pairs, 50 CDS requests
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import shutil
import signal
import sys
import tempfile
import time
from pathlib import Path

import httpx
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from _results import quick, record  # noqa: E402
from click.testing import CliRunner  # noqa: E402

from readmit import paths  # noqa: E402
from readmit.cli import cli  # noqa: E402
from traffic.conftest import serve_env_dev_cds  # noqa: E402
from traffic.test_cds import KEY, hook_requests  # noqa: E402
from training._frames import make_index, write_ingest  # noqa: E402

REPO = Path(__file__).resolve().parents[1]


def _cpu_seconds(pid: int) -> float:
    """utime + stime of one process (Linux /proc), 0.0 once it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _descendants(pid: int) -> list[int]:
    parents = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            parents[int(stat.parent.name)] = int(stat.read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue
    found, frontier = [], [pid]
    while frontier:
        children = [p for p, parent in parents.items() if parent in frontier]
        found += children
        frontier = children
    return found


class CPU:
    """CPU seconds used by the serve process itself and by everything under it (MLServer) between marks."""

    def __init__(self, pid: int):
        self.pid = pid
        self.children = _descendants(pid)

    def read(self) -> tuple[float, float]:
        return _cpu_seconds(self.pid), sum(_cpu_seconds(p) for p in self.children)

    def idle_rate(self, seconds: float) -> float:
        """CPU seconds per second the serve process uses with no request to answer."""
        before = _cpu_seconds(self.pid)
        time.sleep(seconds)
        return (_cpu_seconds(self.pid) - before) / seconds


def _pct(ms: np.ndarray) -> str:
    return f"p50 {np.percentile(ms, 50):.2f} ms, p99 {np.percentile(ms, 99):.2f} ms"


def _timed(client: httpx.Client, url: str, body: bytes, headers: dict) -> float:
    start = time.perf_counter()
    response = client.post(url, content=body, headers=headers)
    elapsed = (time.perf_counter() - start) * 1000
    assert response.status_code == 200, response.text
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=quick(2000, 200))
    parser.add_argument("--cds-requests", type=int, default=quick(500, 50))
    parser.add_argument("--workers", type=int, default=1)
    args = parser.parse_args()
    sys.stdout.reconfigure(line_buffering=True)  # figures show as they come, also into a file
    root = Path(tempfile.mkdtemp(prefix="bench-traffic-"))
    os.environ["READMIT_HOME"] = str(root / "state")
    for k in ("MLFLOW_TRACKING_URI", "MLFLOW_REGISTRY_URI"):
        os.environ.pop(k, None)
    df = make_index(400, seed=21)
    for column in ("patient_key", "encounter_key"):
        df[column] = [hashlib.sha256(k.encode()).hexdigest() for k in df[column]]
    data = write_ingest(root / "ingest", df)
    for seed in (3, 4):
        print(f"training version (seed {seed}) ...", flush=True)
        result = CliRunner().invoke(
            cli,
            ["train", "--data", str(data), "--seed", str(seed), "--set", "epochs=2"],
            catch_exceptions=False,
        )
        assert result.exit_code == 0, result.output

    env = {"READMIT_PSEUDONYM_KEY": KEY, "READMIT_INFERENCE_LOG": str(root / "inference.jsonl")}
    proc, router, out = serve_env_dev_cds(REPO, root, {1: 90, 2: 10}, env, args.workers)
    try:
        direct = re.search(r"MLServer at (http://127\.0\.0\.1:\d+)", out.read_text()).group(1)
        example = json.loads((root / "state/serve/1/export/example-request.json").read_text())
        for i in example["inputs"]:
            i["data"], i["shape"] = i["data"][:1], [1]
        body = json.dumps(example).encode()
        pinned = {"content-type": "application/json", "seldon-model": "readmission.experiment"}
        pinned["x-seldon-route"] = ":readmission-v1_1:"
        cpu = CPU(proc.pid)
        if not Path("/proc").is_dir() or not cpu.children:
            sys.exit(
                "bench_traffic.py reads CPU time from Linux /proc and found no MLServer under the router"
            )
        idle = cpu.idle_rate(5.0)
        load_before = os.getloadavg()
        with httpx.Client(timeout=60) as a, httpx.Client(timeout=60) as b:
            for _ in range(100):  # warm-up
                _timed(
                    a,
                    f"{direct}/v2/models/readmission-v1_1/infer",
                    body,
                    {"content-type": "application/json"},
                )
                _timed(b, f"{router}/v2/models/readmission/infer", body, pinned)
            d, r = [], []
            router_before, _ = cpu.read()
            started = time.perf_counter()
            for _ in range(args.requests):
                d.append(
                    _timed(
                        a,
                        f"{direct}/v2/models/readmission-v1_1/infer",
                        body,
                        {"content-type": "application/json"},
                    )
                )
                r.append(_timed(b, f"{router}/v2/models/readmission/infer", body, pinned))
            # the routed requests' share: what the process burns idle (uvicorn's 10 Hz tick) over the same
            # wall time is taken out; it grows with how long MLServer takes, not with the requests routed
            router_total = cpu.read()[0] - router_before
            router_idle = idle * (time.perf_counter() - started)
            router_cpu = (router_total - router_idle) / args.requests * 1000
            d, r = np.array(d), np.array(r)
            split = {k: v for k, v in pinned.items() if k != "x-seldon-route"}
            s = np.array(
                [_timed(b, f"{router}/v2/models/readmission/infer", body, split) for _ in range(500)]
            )
        print(
            f"single stay with explanation, concurrency 1, MLServer workers {args.workers}, "
            f"{args.requests} pairs"
        )
        print(f"  direct MLServer:         {_pct(d)}")
        print(f"  through the router:      {_pct(r)}")
        print(
            f"  added by the router:     p50 {np.percentile(r, 50) - np.percentile(d, 50):.2f} ms, "
            f"p99 {np.percentile(r, 99) - np.percentile(d, 99):.2f} ms "
            f"(paired differences: p50 {np.percentile(r - d, 50):.2f} ms, "
            f"p99 {np.percentile(r - d, 99):.2f} ms)"
        )
        print(f"  router, 90/10 split (not pinned), 500 requests: {_pct(s)}")
        paired = f"paired differences p99 {np.percentile(r - d, 99):.2f} ms, {args.requests} pairs"
        record("router added latency p99", np.percentile(r, 99) - np.percentile(d, 99), "ms", 2, note=paired)
        record("router added latency p50", np.percentile(r, 50) - np.percentile(d, 50), "ms")
        print(
            f"  router CPU per request: {router_cpu:.3f} ms (router process CPU time over the pairs, less "
            f"its idle rate {idle * 1000:.1f} ms/s x their wall time, / routed requests; "
            f"{router_total / args.requests * 1000:.3f} ms with idle)"
        )
        record("router CPU per request", router_cpu, "ms", note="idle rate taken out")

        hooks = hook_requests(paths.synthea_sample())
        richest = max(hooks, key=lambda h: len(h["prefetch"]["encounters"]["entry"]))
        n_enc = len(richest["prefetch"]["encounters"]["entry"])
        payload = json.dumps(richest).encode()
        with httpx.Client(timeout=60) as c:
            for _ in range(30):
                _timed(
                    c,
                    f"{router}/cds-services/readmission-risk",
                    payload,
                    {"content-type": "application/json"},
                )
            before = cpu.read()
            ms = np.array(
                [
                    _timed(
                        c,
                        f"{router}/cds-services/readmission-risk",
                        payload,
                        {"content-type": "application/json"},
                    )
                    for _ in range(args.cds_requests)
                ]
            )
            after = cpu.read()
        print(
            f"CDS Hooks encounter-discharge end to end ({n_enc} encounters prefetched, last year kept), "
            f"{args.cds_requests} requests: {_pct(ms)}"
        )
        service_cpu, model_cpu = (
            (b - a) / args.cds_requests * 1000 for a, b in zip(before, after, strict=True)
        )
        print(
            f"  CDS CPU per request: service {service_cpu:.2f} ms (prefetch -> row -> card, router), "
            f"MLServer {model_cpu:.2f} ms (features, scores, explanation); {len(payload) / 1e6:.1f} MB each"
        )
        record(f"CDS Hooks end to end p99, {n_enc} encounters prefetched", np.percentile(ms, 99), "ms", 50)
        record("CDS service CPU per request", service_cpu, "ms")
        load_after = os.getloadavg()
        print(
            f"load average (1 min) before the runs {load_before[0]:.2f}, after {load_after[0]:.2f} "
            f"on {os.cpu_count()} CPUs: wall figures above are only as quiet as that"
        )
    finally:
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=240)
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
