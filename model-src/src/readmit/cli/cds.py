"""`readmit cds`: the CDS Hooks service in front of the cluster's Seldon inference endpoint
(readmit.traffic.cds.serve; apps/cds-hooks runs it)."""

from __future__ import annotations

import click

from readmit.cli.options import example
from readmit.traffic.cds import serve


@click.command(epilog=example("readmit cds --seldon-url http://seldon-mesh --port 8080"))
@click.option("--seldon-url", required=True, help="Seldon inference endpoint, e.g. http://seldon-mesh")
@click.option(
    "--host", default="127.0.0.1", show_default=True, help="address to listen on (0.0.0.0 in a pod)"
)
@click.option("--port", default=8080, show_default=True, type=int)
def cds(seldon_url, host, port):
    """Serve CDS Hooks (readmission-risk on encounter-discharge) through Seldon's endpoint.

    Scoring requests carry `seldon-model: readmission.experiment`, so Envoy applies the Experiment."""
    raise SystemExit(serve(seldon_url, host, port, click.echo))
