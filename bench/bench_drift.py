"""Time and measure `readmit drift` on 100,000 reference rows against 20,000 current rows.

The rows are ingested synthetic stays (`readmit data synth` + `ingest`, 4,000 patients) resampled with
replacement to the two sizes, the current side from an older population (so the report has drift to
show). Each stage runs in its own process so its peak memory (max RSS) is its own; figures include
interpreter start-up and imports. Stages: the CLI with the default configuration (stratified sampling to
5,000 rows a side), and the core with sampling off (all 120,000 rows through Evidently).
Usage: python bench/bench_drift.py [--reference 100000] [--current 20000] [--patients 4000]
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pandas as pd
from _results import quick, record

from readmit.data import ingest
from readmit.data.synth import generate

KEY = b"bench-pseudonym-key-0123456789abcdef"
STAGE = """
import json, resource, sys, time
started = time.perf_counter()
{code}
usage = resource.getrusage(resource.RUSAGE_SELF)
print(json.dumps({{"seconds": time.perf_counter() - started, "cpu": usage.ru_utime + usage.ru_stime,
                  "peak_mb": usage.ru_maxrss / 1024}}))
"""
CLI = """
from readmit.cli import main
try:
    main(["drift", "--reference", {ref!r}, "--current", {cur!r}, "--out", {out!r}])
except SystemExit as exc:
    assert exc.code in (0, None), exc.code
"""
FULL = """
import pandas as pd
from readmit.monitoring.config import DriftConfig
from readmit.monitoring.drift import analyze
ref, cur = pd.read_parquet({ref!r} + "/index.parquet"), pd.read_parquet({cur!r} + "/index.parquet")
analyze(ref, cur, DriftConfig(reference_sample=len(ref), current_sample=len(cur)))
"""


def dataset(root: Path, name: str, drift: str, patients: int, rows: int, seed: int) -> Path:
    generate.run(patients, seed, root / f"fhir-{name}", drift, True, root / f"{name}.csv", False)
    ingest.run("fhir", root / f"fhir-{name}", root / f"small-{name}", KEY)
    index = pd.read_parquet(root / f"small-{name}" / "index.parquet")
    out = root / name
    out.mkdir()
    index.sample(n=rows, replace=True, random_state=seed).reset_index(drop=True).to_parquet(
        out / "index.parquet"
    )
    shutil.copy(root / f"small-{name}" / "manifest.json", out / "manifest.json")
    return out


def stage(code: str) -> dict:
    proc = subprocess.run([sys.executable, "-c", STAGE.format(code=code)], capture_output=True, text=True)
    if proc.returncode != 0:
        raise SystemExit(proc.stderr)
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--reference", type=int, default=quick(100_000, 10_000))
    parser.add_argument("--current", type=int, default=quick(20_000, 2_000))
    parser.add_argument("--patients", type=int, default=quick(4000, 1000))
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        ref = dataset(root, "reference", "none", args.patients, args.reference, 1)
        cur = dataset(root, "current", "older-population", args.patients, args.current, 2)
        for name, code in (
            (
                "readmit drift (default sampling)",
                CLI.format(ref=str(ref), cur=str(cur), out=str(root / "out")),
            ),
            ("analyze, sampling off", FULL.format(ref=str(ref), cur=str(cur))),
        ):
            figures = stage(code)
            print(
                f"{name}: {args.reference} vs {args.current} rows: {figures['seconds']:.1f} s wall, "
                f"{figures['cpu']:.1f} s CPU, peak {figures['peak_mb']:.0f} MB",
                flush=True,
            )
            full = args.reference >= 100_000 and args.current >= 20_000  # issue 12: < 30 s, < 2 GB there
            label = f"{name}, {args.reference:,} vs {args.current:,} rows"
            record(label, figures["seconds"], "s", 30 if full else None, note=f"cpu {figures['cpu']:.1f} s")
            record(f"{label}: peak memory", figures["peak_mb"], "MB", 2048 if full else None)


if __name__ == "__main__":
    main()
