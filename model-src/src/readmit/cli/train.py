"""`readmit train`, `readmit tune`, `readmit evaluate`: thin wrappers over readmit.training."""

from __future__ import annotations

from pathlib import Path

import click

from readmit.cli.options import example
from readmit.progress import reporter
from readmit.training import params, pipeline
from readmit.training.rescore import rescore
from readmit.training.tune import tune as run

_DATA = click.option(
    "--data",
    "data_dir",
    required=True,
    type=click.Path(path_type=Path),
    help="directory written by `readmit data ingest`",
)


@click.command(epilog=example("readmit train --data .readmit/dataset --out .readmit/train"))
@_DATA
@click.option("--params", "params_file", type=click.Path(path_type=Path), help="YAML/JSON parameter file")
@click.option("--set", "overrides", multiple=True, metavar="KEY=VALUE", help="override one parameter")
@click.option("--seed", default=42, show_default=True, type=int)
@click.option(
    "--split",
    "method",
    type=click.Choice(["grouped", "temporal"]),
    help="patient-grouped random split, or forward in time "
    "[default: the params file's `split`, else grouped]",
)
@click.option("--subsample", type=int, help="train on about this many rows (whole patients); tuning trials")
@click.option(
    "--out", "out_dir", type=click.Path(path_type=Path), help="also write metrics.json, plots, card here"
)
@click.option("--register/--no-register", default=True, show_default=True)
def train(data_dir, params_file, overrides, seed, method, subsample, out_dir, register):
    """Train, evaluate, log to MLflow and register a new `candidate` version."""

    result = pipeline.train(
        data_dir,
        params.load(params_file, overrides),
        seed,
        method,
        out_dir,
        register,
        subsample=subsample,
        progress=reporter("train"),
    )
    m = result["metrics"]
    click.echo(f"val_roc_auc={m['val_roc_auc']:.6f}")  # Katib's StdOut metrics collector reads this line
    click.echo(
        f"test_roc_auc={m['test_roc_auc']:.6f} (95% CI {m['test_roc_auc_ci_low']:.3f}-"
        f"{m['test_roc_auc_ci_high']:.3f}) lace_test_roc_auc={m['lace_test_roc_auc']:.6f}"
    )
    click.echo(
        f"selected={result['selected']} threshold={result['threshold']:.4f} run={result['run_id']}"
        + (f" version={result['version']} alias=candidate" if result["version"] else "")
    )


@click.command(
    epilog=example(
        "readmit tune --experiment apps/katib/readmission-tuning.yaml --data .readmit/dataset --max-trials 10"
    )
)
@click.option("--experiment", required=True, type=click.Path(path_type=Path), help="Katib Experiment YAML")
@_DATA
@click.option(
    "--max-trials",
    type=int,
    help="trials in all (a resumed study counts its finished ones) [default: the Experiment's maxTrialCount]",
)
@click.option("--seed", default=42, show_default=True, type=int)
@click.option("--out", type=click.Path(path_type=Path), help="write the best parameters here (for --params)")
@click.option(
    "--part",
    type=click.Choice(["all", "lgbm"]),
    default="all",
    show_default=True,
    help="all: every trial trains the whole bundle (as Katib does); lgbm: only LightGBM's parameters, "
    "scored by LightGBM's validation AUC on features built once (much cheaper)",
)
@click.option(
    "--storage",
    type=click.Path(path_type=Path),
    help="Optuna sqlite file keeping the study; re-running the same command resumes it",
)
@click.option("--subsample", type=int, help="override the Experiment's --subsample rows (0: every row)")
@click.option("--threads", default=2, show_default=True, type=int, help="LightGBM threads per trial")
def tune(experiment, data_dir, max_trials, seed, out, part, storage, subsample, threads):
    """Run the Katib Experiment's search space locally with Optuna (nested MLflow runs)."""

    result = run(
        experiment,
        data_dir,
        max_trials,
        seed,
        out,
        echo=click.echo,
        part=part,
        storage=storage,
        subsample=subsample,
        threads=threads,
    )
    click.echo(
        f"best val_roc_auc={result['best_value']:.6f} after {result['n_trials']} trials: "
        f"{result['best_params']}"
    )


@click.command(epilog=example("readmit evaluate --version 3 --data .readmit/uci-dataset"))
@click.option("--version", required=True, type=int, help="registered version of model `readmission`")
@_DATA
@click.option("--out", "out_dir", type=click.Path(path_type=Path), help="write metrics.json here")
def evaluate(version, data_dir, out_dir):
    """Re-score a registered version on any ingested data set."""

    m = rescore(version, data_dir, out_dir)["metrics"]
    click.echo(
        f"eval_roc_auc={m['eval_roc_auc']:.6f} eval_auprc={m['eval_auprc']:.6f} "
        f"lace_eval_roc_auc={m['lace_eval_roc_auc']:.6f} n={int(m['eval_n'])}"
    )
