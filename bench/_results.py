"""What every bench script shares: the QUICK switch and `record`, which appends one figure to a JSON-lines
file that `bench/results_md.py` turns into `bench/results.md` (`make bench` runs both).

One JSON object per line: {"script", "name", "value", "unit", "target", "direction", "quick", "note"};
`direction` "<=" means lower is better (the figure meets its target when value <= target), ">=" higher.
A script run by hand (no BENCH_RESULTS) only prints its figures, as before.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

# `make bench QUICK=1` sets BENCH_QUICK=1 (and make exports QUICK=1 too): each script runs a short version
# (fewer requests, rows, commits). A script may read either variable.
QUICK = any(os.environ.get(name, "") not in ("", "0") for name in ("BENCH_QUICK", "QUICK"))
DIRECTIONS = ("<=", ">=")


def quick(full, short):
    """`short` in a QUICK run, `full` otherwise (for a script's default sizes)."""
    return short if QUICK else full


def record(
    name: str,
    value: float,
    unit: str,
    target: float | None = None,
    direction: str = "<=",
    note: str = "",
) -> None:
    """Append one figure to $BENCH_RESULTS (nothing when unset). `target` None: the figure has none (or,
    in a QUICK run, none at this size)."""
    if direction not in DIRECTIONS:
        raise ValueError(f"direction must be one of {DIRECTIONS}, not {direction!r}")
    path = os.environ.get("BENCH_RESULTS")
    if not path:
        return
    line = {
        "script": Path(sys.argv[0]).name,
        "name": name,
        "value": float(value),
        "unit": unit,
        "target": None if target is None else float(target),
        "direction": direction,
        "quick": QUICK,
        "note": note,
    }
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a", encoding="utf-8") as sink:
        sink.write(json.dumps(line) + "\n")


def read(path: Path) -> list[dict]:
    """The recorded lines of `path`, in order ([] when the file does not exist)."""
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
