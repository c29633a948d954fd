"""`readmit demo`: the whole loop on synthetic data (what `make demo` runs)."""

from __future__ import annotations

from pathlib import Path

import click

from readmit import demo as logic
from readmit.cli.options import example
from readmit.paths import repo_root, state_dir


@click.command(epilog=example("readmit demo --patients 1500 --seed 7"))
@click.option("--patients", type=click.IntRange(min=200), default=3000, show_default=True)
@click.option("--seed", type=int, default=7, show_default=True)
@click.option(
    "--work",
    type=click.Path(path_type=Path),
    default=None,
    help="scratch directory (default: .readmit/demo; replaced on every run)",
)
def demo(patients: int, seed: int, work: Path | None) -> None:
    """Synthesize, ingest, train, gate, promote to dev in a throw-away clone, and audit."""
    logic.run(
        logic.DemoConfig(
            work=(work or state_dir() / "demo").resolve(), repo=repo_root(), patients=patients, seed=seed
        )
    )
