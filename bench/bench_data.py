"""Time and measure the data layer: synth 10,000 patients, ingest them, ingest the whole UCI file.

Each stage runs in its own process so its peak memory (max RSS) is its own. Prints one line
per stage: wall seconds, CPU seconds of that process (includes interpreter start-up and imports;
less sensitive than wall time to other load on the machine) and peak memory.
Usage: python bench/bench_data.py [--patients N] (needs ../shared for the UCI stage).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from _results import quick, record

from readmit import paths

STAGE = """
import json, resource, sys, time
from pathlib import Path
started = time.perf_counter()
{code}
usage = resource.getrusage(resource.RUSAGE_SELF)
print(json.dumps({{"seconds": time.perf_counter() - started, "cpu": usage.ru_utime + usage.ru_stime,
                  "peak_mb": usage.ru_maxrss / 1024}}))
"""
SYNTH = "from readmit.data.synth import generate; generate.run({n}, 1, Path({out!r}), None)"
INGEST = (
    "from readmit.data import ingest; meta = ingest.run({source!r}, Path({src!r}), Path({out!r}), "
    "b'bench-key-0123456789abcdef', 5)"
)


def stage(code: str) -> dict:
    result = subprocess.run(
        [sys.executable, "-c", STAGE.format(code=code)],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "PYTHONHASHSEED": "0"},
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def report(name: str, figures: dict, extra: str = "") -> None:
    print(
        f"{name:<34} {figures['seconds']:6.1f} s wall {figures['cpu']:6.1f} s cpu   "
        f"peak {figures['peak_mb']:5.0f} MB   {extra}",
        flush=True,
    )
    target = 30 if name.startswith("ingest uci") else None  # the whole UCI file in < 30 s
    record(
        name,
        figures["seconds"],
        "s",
        target,
        note=f"cpu {figures['cpu']:.1f} s, peak {figures['peak_mb']:.0f} MB",
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--patients", type=int, default=quick(10_000, 1_000))
    args = parser.parse_args()
    print(f"cpus: {os.cpu_count()}, load average: {os.getloadavg()[0]:.1f}")
    with tempfile.TemporaryDirectory() as tmp:
        export, synth_set, uci_set = Path(tmp, "export"), Path(tmp, "synth-set"), Path(tmp, "uci-set")
        synth = stage(SYNTH.format(n=args.patients, out=str(export)))
        size = sum(f.stat().st_size for f in export.iterdir()) / 1e6
        report(f"synth {args.patients} patients", synth, f"{size:.0f} MB of NDJSON")
        fhir = stage(INGEST.format(source="fhir", src=str(export), out=str(synth_set)))
        meta = json.loads((synth_set / "manifest.json").read_text())
        report(
            f"ingest fhir ({args.patients} patients)",
            fhir,
            f"{meta['rows_out']['index']} index rows, prevalence {meta['label_prevalence']:.3f}",
        )
        print(f"{'synth + ingest':<34} {synth['seconds'] + fhir['seconds']:7.1f} s")
        uci = paths.uci_dataset()
        if not uci.exists():
            print(f"ingest uci: skipped, {uci} not found (set READMIT_UCI_DATA)")
            return
        figures = stage(INGEST.format(source="uci", src=str(uci), out=str(uci_set)))
        meta = json.loads((uci_set / "manifest.json").read_text())
        report(
            "ingest uci (whole file)",
            figures,
            f"{meta['rows_in']['rows']} rows -> {meta['rows_out']['index']} index rows (target < 30 s)",
        )


if __name__ == "__main__":
    main()
