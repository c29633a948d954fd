"""Run every bench/bench_*.py (what `make bench` does), each in its own process, then write
bench/results.md from the figures they recorded.

    python bench/run.py [--quick] [--only bench_audit.py ...] [--out bench/results.md]

`--quick` (make bench QUICK=1) sets BENCH_QUICK=1: each script runs its short version. A failing script
does not stop the others; it is listed in results.md and the run exits 1.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

from results_md import DEFAULT_FIGURES, Run, write

BENCH = Path(__file__).resolve().parent


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="short versions (BENCH_QUICK=1)")
    parser.add_argument("--only", nargs="+", default=None, help="these scripts (file names) only")
    parser.add_argument("--figures", type=Path, default=DEFAULT_FIGURES)
    parser.add_argument("--out", type=Path, default=BENCH / "results.md")
    args = parser.parse_args()
    scripts = sorted(BENCH.glob("bench_*.py"))
    if args.only:
        unknown = set(args.only) - {s.name for s in scripts}
        if unknown:
            parser.error(f"no such script in {BENCH}: {', '.join(sorted(unknown))}")
        scripts = [s for s in scripts if s.name in args.only]
    args.figures.parent.mkdir(parents=True, exist_ok=True)
    args.figures.unlink(missing_ok=True)
    env = {
        **os.environ,
        "BENCH_RESULTS": str(args.figures.resolve()),
        "BENCH_QUICK": "1" if args.quick else "0",
    }
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    runs = []
    for script in scripts:
        print(f"== {script.name}{' (QUICK)' if args.quick else ''}", flush=True)
        started = time.monotonic()
        code = subprocess.call([sys.executable, str(script)], env=env)
        runs.append(Run(script.name, code, time.monotonic() - started))
        print(f"== {script.name}: exit {code}, {runs[-1].seconds:.0f} s", flush=True)
    write(args.figures, args.out, runs, args.quick, {"Load average at the start": load})
    print(f"wrote {args.out}")
    return 1 if any(r.exit_code for r in runs) else 0


if __name__ == "__main__":
    sys.exit(main())
