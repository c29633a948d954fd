"""`readmit export`: write the folder a version's storageUri holds (readmit.serving.export)."""

from __future__ import annotations

from pathlib import Path

import click

from readmit.cli.options import example
from readmit.serving.export import export as run


@click.command(epilog=example("readmit export --version 3 --out /tmp/readmission-3"))
@click.option("--version", type=int, help="registered version of model `readmission`")
@click.option("--alias", help="or the alias naming it (candidate, champion)")
@click.option("--out", required=True, type=click.Path(path_type=Path), help="folder to write (replaced)")
@click.option(
    "--data",
    "data_dir",
    type=click.Path(path_type=Path),
    help="ingest directory the version was trained on: example-request.json then holds its test rows",
)
def export(version, alias, out, data_dir):
    """Export a version as Seldon's agent loads it: MLflow model, model-settings.json, example request."""

    result = run(out, version=version, alias=alias, data_dir=data_dir)
    click.echo(
        f"exported version {result['version']} to {result['out']} ({result['digest']}); "
        f"examples: {result['examples']}"
    )
