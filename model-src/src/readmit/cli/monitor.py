"""`readmit monitor performance`: realised performance once the 30-day outcomes arrive."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from readmit.cli.options import example
from readmit.monitoring.perf_run import run

DEGRADED_EXIT = 3  # like `readmit drift --fail-on-drift`


@click.group(epilog=example("readmit monitor performance --predictions log.jsonl --outcomes outcomes.csv"))
def monitor() -> None:
    """Watch the served model once outcomes are known."""


@monitor.command(
    epilog=example(
        "readmit monitor performance --predictions log.jsonl --outcomes outcomes.csv --window week"
    )
)
@click.option("--predictions", type=click.Path(path_type=Path), required=True, help="inference log")
@click.option(
    "--outcomes", type=click.Path(path_type=Path), required=True, help="CSV/Parquet: encounter_key,label"
)
@click.option("--window", type=click.Choice(["day", "week", "month"]), default="week", show_default=True)
@click.option("--model-version", default=None, help="judge this version's stays (default: the most served)")
@click.option("--out", type=click.Path(path_type=Path), default=Path("performance-report"), show_default=True)
@click.option("--fail-on-degradation", is_flag=True, help=f"exit {DEGRADED_EXIT} when a window is flagged")
def performance(predictions, outcomes, window, model_version, out, fail_on_degradation) -> None:
    """Realised ROC-AUC, AUPRC and calibration per window against the model card; HTML + JSON in --out."""

    result = run(predictions, outcomes, out, window, model_version)
    flagged = result["degraded"]
    click.echo(
        f"v{result['model_version']}: {result['scored_with_outcome']} stays with outcomes in "
        f"{len(result['windows'])} {window} windows; "
        + (f"DEGRADED on {', '.join(flagged)}" if flagged else "no degradation")
        + f"; report in {out}"
    )
    if fail_on_degradation and flagged:
        sys.exit(DEGRADED_EXIT)
