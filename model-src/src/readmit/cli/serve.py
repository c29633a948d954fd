"""`readmit serve`: run MLServer on loopback with a registered version (readmit.serving.serve)."""

from __future__ import annotations

from pathlib import Path

import click

from readmit.serving.serve import serve as run


@click.command()
@click.option("--version", type=int, help="registered version of model `readmission`")
@click.option("--alias", help="or the alias naming it (candidate, champion)")
@click.option("--port", default=8080, show_default=True, type=int, help="HTTP port on 127.0.0.1")
@click.option(
    "--workers", default=1, show_default=True, type=int, help="MLServer parallel_workers (0: in-process)"
)
@click.option(
    "--data", "data_dir", type=click.Path(path_type=Path), help="ingest dir for the example request"
)
def serve(version, alias, port, workers, data_dir):
    """Export a version and serve it with MLServer on 127.0.0.1 until Ctrl-C."""
    raise SystemExit(run(version, alias, port, workers, click.echo, data_dir))
