"""Write bench/results.md from the figures the bench scripts recorded (bench/_results.py): the machine, the
date, QUICK or full, and each figure next to its target with "met", "not met" or "no target".

`render` is pure (tested in tests/bench/test_results_md.py); `machine` and `main` read the host.
    python bench/results_md.py [--figures FILE] [--out bench/results.md]
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from _results import QUICK, read

PACKAGES = ("lightgbm", "torch", "mlserver", "mlflow", "evidently", "pandas")
DEFAULT_FIGURES = Path(".readmit/bench/figures.jsonl")
SYMBOL = {"<=": "≤", ">=": "≥"}
QUICK_RUN = "QUICK (`make bench QUICK=1`: short versions; a target set for a larger size is not applied)"


@dataclass(frozen=True)
class Run:
    """One bench script as `bench/run.py` ran it."""

    script: str
    exit_code: int
    seconds: float


def verdict(figure: dict) -> str:
    target = figure.get("target")
    if target is None:
        return "no target"
    met = figure["value"] <= target if figure["direction"] == "<=" else figure["value"] >= target
    return "met" if met else "not met"


def number(value: float) -> str:
    return f"{value:,.0f}" if abs(value) >= 100 else f"{value:.3g}"


def _row(figure: dict) -> str:
    target = figure.get("target")
    shown = "" if target is None else f"{SYMBOL[figure['direction']]} {number(target)} {figure['unit']}"
    name = figure["name"] + (f" ({figure['note']})" if figure.get("note") else "")
    cells = (figure["script"], name, f"{number(figure['value'])} {figure['unit']}", shown, verdict(figure))
    return "| " + " | ".join(cells) + " |"


def render(figures: list[dict], runs: list[Run], machine: dict[str, str], when: str, quick: bool) -> str:
    verdicts = [verdict(f) for f in figures]
    with_target = [v for v in verdicts if v != "no target"]
    lines = [
        "# Benchmark results",
        "",
        "Written by `make bench` (bench/results_md.py); the targets come from the issues (bench/README.md).",
        "",
        f"- Date: {when}",
        f"- Run: {QUICK_RUN if quick else 'full'}",
        *(f"- {key}: {value}" for key, value in machine.items()),
        "",
        f"**{with_target.count('met')} of {len(with_target)} targets met**"
        f" ({len(verdicts) - len(with_target)} figures without a target).",
        "",
        "| script | figure | value | target | result |",
        "|---|---|---|---|---|",
        *(_row(f) for f in figures),
    ]
    if runs:
        lines += ["", "| script | exit | seconds |", "|---|---|---|"]
        lines += [f"| {r.script} | {r.exit_code} | {r.seconds:.0f} |" for r in runs]
        failed = [r.script for r in runs if r.exit_code != 0]
        if failed:
            lines += ["", f"**Failed:** {', '.join(failed)} (their figures are missing above)."]
    return "\n".join(lines) + "\n"


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _memory() -> str:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return f"{int(line.split()[1]) / 1024**2:.1f} GiB"
    except OSError:
        pass
    return "unknown"


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "not installed"


def machine() -> dict[str, str]:
    return {
        "Machine": f"{os.cpu_count()} cores, {_memory()} memory, {_cpu_model()}",
        "Load average at the end": ", ".join(f"{x:.2f}" for x in os.getloadavg()),
        "System": platform.platform(),
        "Python": platform.python_version(),
        "Packages": ", ".join(f"{p} {_version(p)}" for p in PACKAGES),
    }


def write(
    figures_file: Path, out: Path, runs: list[Run], quick: bool, facts: dict[str, str] | None = None
) -> None:
    """`facts`: more lines for the machine list (bench/run.py adds the load average at the start)."""
    when = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
    text = render(read(figures_file), runs, {**machine(), **(facts or {})}, when, quick)
    tmp = out.with_name(out.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--figures", type=Path, default=DEFAULT_FIGURES)
    parser.add_argument("--out", type=Path, default=Path(__file__).with_name("results.md"))
    args = parser.parse_args()
    write(args.figures, args.out, [], QUICK)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
