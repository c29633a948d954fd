"""Benchmark: a full UCI training run without tuning (target <= 60 s on a quiet 2-core machine) and 20
tuning trials (target < 15 min). Prints wall seconds, CPU seconds and peak memory of each step.

Runs against a fresh, private MLflow store in a temp dir. Needs the shared UCI zip (READMIT_UCI_DATA) and
a pseudonym key (READMIT_PSEUDONYM_KEY; a throw-away bench key is used when unset).
"""

from __future__ import annotations

import os
import re
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _results import quick, record

REPO = Path(__file__).resolve().parents[1]
READMIT = [str(Path(sys.executable).with_name("readmit"))]


def run(label: str, args: list[str], env: dict, target: float | None = None) -> str:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(READMIT + args, env=env, capture_output=True, text=True, cwd=REPO, check=False)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        sys.exit(f"{label} failed ({done.returncode}): {done.stderr.strip().splitlines()[-1:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    print(
        f"{label}: {wall:.1f} s wall, {cpu:.1f} s CPU, peak RSS {after.ru_maxrss / 1024:.0f} MiB", flush=True
    )
    record(label.split(" (")[0], wall, "s", target, note=f"cpu {cpu:.1f} s")
    return done.stdout


def main() -> None:
    sys.path.insert(0, str(REPO / "model-src" / "src"))
    from readmit import paths

    uci = paths.uci_dataset()
    if not uci.exists():
        sys.exit(f"UCI zip not found at {uci} (set READMIT_UCI_DATA)")
    trials = int(os.environ.get("BENCH_TUNE_TRIALS", quick("20", "2")))
    with tempfile.TemporaryDirectory(prefix="bench-train-") as tmp:
        env = {k: v for k, v in os.environ.items() if k != "MLFLOW_TRACKING_URI"}
        env.setdefault("READMIT_PSEUDONYM_KEY", "bench-only-key-not-a-secret-0000")
        env["READMIT_HOME"] = str(Path(tmp) / "state")
        print(f"cores available: {os.cpu_count()}")
        run(
            "ingest UCI (not part of the targets)",
            ["data", "ingest", "--source", "uci", "--input", str(uci), "--out", f"{tmp}/uci"],
            env,
        )
        out = run(
            "full UCI train, no tuning (target <= 60 s quiet)",
            ["train", "--data", f"{tmp}/uci", "--seed", "42"],
            env,
            60,
        )
        for line in out.splitlines():
            if re.match(r"(val_roc_auc|test_roc_auc|selected)=", line):
                print(f"  {line}")
        out = run(
            f"{trials} tuning trials (target < 900 s)",
            [
                "tune",
                "--experiment",
                str(REPO / "apps/katib/readmission-tuning.yaml"),
                "--data",
                f"{tmp}/uci",
                "--max-trials",
                str(trials),
                "--out",
                f"{tmp}/best.json",
            ],
            env,
            900 if trials >= 20 else None,
        )
        print(f"  {out.strip().splitlines()[-1]}")


if __name__ == "__main__":
    main()
