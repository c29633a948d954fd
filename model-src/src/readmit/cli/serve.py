"""`readmit serve`: one registered version (readmit.serving.serve), or an environment's Models behind the
router that splits traffic by its Experiment (readmit.traffic.serve)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from readmit import envs
from readmit.cli.options import EnvChoice, example
from readmit.errors import InputError
from readmit.serving.serve import serve as run
from readmit.traffic.serve import serve as run_env


@click.command(epilog=example("readmit serve --version 3"))
@click.option("--version", type=int, help="registered version of model `readmission`")
@click.option("--alias", help="or the alias naming it (candidate, champion)")
@click.option(
    "--env",
    type=EnvChoice(),
    help="or an environment: its Models behind a router that follows its Experiment",
)
@click.option("--cds", is_flag=True, help="with --env: also serve the CDS Hooks service on the same port")
@click.option("--port", default=8080, show_default=True, type=int, help="HTTP port on 127.0.0.1")
@click.option(
    "--workers", default=1, show_default=True, type=int, help="MLServer parallel_workers (0: in-process)"
)
@click.option(
    "--data", "data_dir", type=click.Path(path_type=Path), help="ingest dir for the example request"
)
def serve(version, alias, env, cds, port, workers, data_dir):
    """Serve a version (or an environment's Experiment) with MLServer on 127.0.0.1 until Ctrl-C."""
    if env is not None:
        if version is not None or alias is not None:
            raise InputError("give --env alone, or --version/--alias without --env")
        if env == envs.ALL:
            names = ", ".join(envs.names())
            raise InputError(f"--env all: one router serves one environment; name one of {names}")

        code = run_env(env, port, workers, cds, click.echo)
    else:
        if cds:
            raise InputError("--cds needs --env ENV: the CDS service scores through the environment's router")

        code = run(version, alias, port, workers, click.echo, data_dir)
    # MLServer and its workers are stopped and reaped by now. Skip interpreter finalisation: with torch,
    # LightGBM and MLflow loaded, CPython 3.11's final GC pass was seen spinning for minutes after Ctrl-C.
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)
