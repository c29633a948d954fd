"""`readmit data synth|ingest|validate`: thin wrappers over readmit.data."""

from __future__ import annotations

from pathlib import Path

import click

from readmit.cli.options import example
from readmit.data import deid
from readmit.data import ingest as logic
from readmit.data.synth import generate
from readmit.data.validate import validate as check


@click.group(epilog=example("readmit data synth --patients 200 --out /tmp/export"))
def data() -> None:
    """Synthesize, ingest (de-identify) and validate training data."""


@data.command(epilog=example("readmit data synth --patients 1500 --out .readmit/fhir-export"))
@click.option("--patients", type=click.IntRange(min=1), required=True, help="number of patients")
@click.option("--seed", type=int, default=0, show_default=True)
@click.option("--out", type=click.Path(path_type=Path), required=True, help="export directory to write")
@click.option(
    "--drift",
    type=click.Choice(["none", "older-population", "new-coding-practice", "lab-unit-change"]),
    default="none",
    show_default=True,
)
@click.option(
    "--history-signal",
    type=click.Choice(["on", "off"]),
    default="on",
    show_default=True,
    help="whether risk depends on the trajectory of past stays",
)
@click.option(
    "--truth",
    type=click.Path(path_type=Path),
    default=None,
    help="ground-truth csv (default: <out>/../<name>-ground-truth.csv)",
)
@click.option("--gzip/--no-gzip", default=False, show_default=True, help="write .ndjson.gz")
def synth(patients, seed, out, drift, history_signal, truth, gzip) -> None:
    """Write a synthetic FHIR R4 Bulk Data export with realistic (fake) PHI."""

    click.echo(generate.run(patients, seed, out, drift, history_signal == "on", truth, gzip))


@data.command(
    epilog=example("readmit data ingest --source fhir --input .readmit/fhir-export --out .readmit/dataset")
)
@click.option("--source", type=click.Choice(["fhir", "uci"]), required=True)
@click.option("--input", "input_path", type=click.Path(path_type=Path), required=True)
@click.option("--out", type=click.Path(path_type=Path), required=True)
@click.option("--min-k", type=int, default=5, show_default=True, help="k for k-anonymity")
@click.option(
    "--key-file",
    type=click.Path(path_type=Path),
    default=None,
    help="pseudonym key file (else READMIT_PSEUDONYM_KEY)",
)
def ingest(source, input_path, out, min_k, key_file) -> None:
    """De-identify a FHIR export or the UCI data set into index/history Parquet + manifest."""

    click.echo(logic.summary(logic.run(source, input_path, out, deid.load_key(key_file), min_k)))


@data.command(epilog=example("readmit data validate .readmit/dataset"))
@click.argument("directory", type=click.Path(path_type=Path))
def validate(directory) -> None:
    """Check a training set; exit 1 listing the problems."""

    result = check(directory)
    click.echo(f"ok: {result['index_rows']} index rows, {result['history_rows']} history rows")
