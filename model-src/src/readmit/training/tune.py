"""`readmit tune`: the Katib Experiment's space, objective and budget, run locally with Optuna.

Each trial is a nested MLflow run under one parent `tune` run, trained like a Katib trial (the trial
command's --subsample and fixed --set values) and scored on validation only.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

from readmit import registry
from readmit.atomic import write_text
from readmit.training import data, katib, split
from readmit.training.fit import fit_bundle
from readmit.training.params import load as load_params
from readmit.training.pipeline import prepare


def _sampler(experiment: katib.Experiment):
    import optuna

    if experiment.algorithm == "random":
        return optuna.samplers.RandomSampler(seed=experiment.seed)
    return optuna.samplers.TPESampler(seed=experiment.seed, n_startup_trials=min(10, experiment.max_trials))


def tune(
    experiment_path: Path, data_dir: Path, max_trials: int | None, seed: int, out: Path | None, echo=print
) -> dict:
    import mlflow
    import optuna

    experiment = katib.load(experiment_path)
    n_trials = min(experiment.max_trials, max_trials) if max_trials else experiment.max_trials
    fixed = load_params(None, tuple(f"{k}={v}" for k, v in experiment.fixed.items()))
    df, _ = data.load(data_dir)
    frames, _ = prepare(split.subsample(df, experiment.subsample, seed), seed)
    registry.configure()
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    cache: dict = {}
    study = optuna.create_study(direction=experiment.direction, sampler=_sampler(experiment))

    def objective(trial):
        params = fixed | load_params(
            None, tuple(f"{k}={v}" for k, v in katib.suggest(trial, experiment.space).items())
        )
        with mlflow.start_run(run_name=f"trial-{trial.number}", nested=True):
            _, val_auc, _ = fit_bundle(frames["train"], frames["val"], params, seed, cache=cache)
            value = max(v for v in val_auc.values() if not math.isnan(v))
            mlflow.log_params(params)
            mlflow.log_metrics(
                {experiment.objective: value} | {f"{c}_val_roc_auc": v for c, v in val_auc.items()}
            )
        echo(f"trial {trial.number}: {experiment.objective}={value:.6f}")
        return value

    with mlflow.start_run(run_name="tune"):
        mlflow.log_params(
            {
                "experiment": str(experiment_path),
                "algorithm": experiment.algorithm,
                "n_trials": n_trials,
                "subsample": experiment.subsample,
                "seed": seed,
            }
        )
        study.optimize(objective, n_trials=n_trials)
        # only the searched values: the fixed trial shortcuts (fewer epochs) are not meant for the final fit
        best = load_params(None, tuple(f"{k}={v}" for k, v in study.best_params.items()))
        mlflow.log_metric(f"best_{experiment.objective}", study.best_value)
        mlflow.log_dict(best, "best_params.json")
    if out is not None:
        write_text(Path(out), json.dumps(best, indent=2, sort_keys=True) + "\n")
    return {"best_value": study.best_value, "best_params": best, "n_trials": n_trials}
