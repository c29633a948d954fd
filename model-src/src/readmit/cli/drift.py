"""`readmit drift`: input and prediction drift of a current window against the reference training set."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from readmit.cli.options import example
from readmit.monitoring.drift_run import drift as run
from readmit.progress import reporter

DRIFT_EXIT = 3  # --fail-on-drift: distinct from 1 (a check failed to run cleanly) and 2 (bad input)


@click.command(
    epilog=example(
        "readmit drift --reference data/train --current data/this-month --out drift-report --fail-on-drift"
    )
)
@click.option(
    "--reference", type=click.Path(path_type=Path), required=True, help="ingest directory (training set)"
)
@click.option(
    "--current", type=click.Path(path_type=Path), required=True, help="ingest directory or inference log file"
)
@click.option("--out", type=click.Path(path_type=Path), default=Path("drift-report"), show_default=True)
@click.option(
    "--model-version",
    default=None,
    help="served version: keep its logged rows, check the reference is its training set, "
    "score both sides for prediction drift",
)
@click.option(
    "--textfile",
    type=click.Path(path_type=Path),
    default=None,
    help="also write the Prometheus textfile here",
)
@click.option("--fail-on-drift", is_flag=True, help=f"exit {DRIFT_EXIT} when the dataset drift flag is set")
@click.option(
    "--notify", "notify_url", default=None, metavar="URL", help="POST the verdict to this EventListener"
)
def drift(reference, current, out, model_version, textfile, fail_on_drift, notify_url) -> None:
    """Compare CURRENT with REFERENCE; write report.html, drift.json and drift.prom into --out."""

    summary = run(
        reference,
        current,
        out,
        model_version=model_version,
        notify_url=notify_url,
        textfile_path=textfile,
        progress=reporter("readmit drift"),
    )
    click.echo(
        f"{'DRIFT' if summary['dataset_drift'] else 'no drift'}: {len(summary['drifted_features'])}/"
        f"{summary['n_features']} features drifted ({', '.join(summary['drifted_features']) or 'none'}); "
        f"report in {out}"
    )
    if fail_on_drift and summary["dataset_drift"]:
        sys.exit(DRIFT_EXIT)  # click's non-standalone main returns an Exit's code instead of exiting
