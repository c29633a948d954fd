"""`readmit demo`: the whole loop on one machine (what `make demo` runs)."""

from __future__ import annotations

from pathlib import Path

import click

from readmit.cli.options import example
from readmit.demo.run import DEFAULT_PATIENTS, DemoConfig, run
from readmit.paths import repo_root, state_dir


@click.command(epilog=example("readmit demo --patients 1500 --seed 7"))
@click.option("--patients", type=click.IntRange(min=200), default=DEFAULT_PATIENTS, show_default=True)
@click.option("--seed", type=int, default=7, show_default=True)
@click.option(
    "--data",
    type=click.Path(path_type=Path, exists=True),
    default=None,
    help="a UCI Diabetes-130 zip or a FHIR export folder instead of the synthetic cohort",
)
@click.option(
    "--work",
    type=click.Path(path_type=Path),
    default=None,
    help="work directory (default: .readmit/demo; a later run carries on from it)",
)
def demo(patients: int, seed: int, data: Path | None, work: Path | None) -> None:
    """Retrain through the Tekton pipeline, serve and explain, canary a second version, audit."""
    run(DemoConfig((work or state_dir() / "demo").resolve(), repo_root(), patients, seed, data))
