"""`readmit tune`: the Katib Experiment's space, objective and budget, run locally with Optuna.

Each trial is a nested MLflow run under one parent `tune` run, trained like a Katib trial (the trial
command's --subsample and fixed --set values) and scored on validation only.

`part="lgbm"` searches only the LightGBM parameters of the space and scores the LightGBM candidate
alone: the sequence model and the stacker do not change LightGBM's validation score, so a trial costs
one boosting run on features built once. With `storage` (an Optuna sqlite file) the study survives a
crash: re-running the same command resumes it and only runs the trials still missing.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import mlflow
import optuna

from readmit import registry
from readmit.atomic import write_text
from readmit.evaluation.metrics import auc
from readmit.models import lgbm, sequence
from readmit.schema import LABEL
from readmit.training import data, katib, split
from readmit.training.fit import features, fit_bundle
from readmit.training.params import load as load_params
from readmit.training.params import source_defaults
from readmit.training.pipeline import prepare

PARTS = ("all", "lgbm")


def _sampler(experiment: katib.Experiment):
    if experiment.algorithm == "random":
        return optuna.samplers.RandomSampler(seed=experiment.seed)
    return optuna.samplers.TPESampler(seed=experiment.seed, n_startup_trials=min(10, experiment.max_trials))


def _params(values: dict) -> dict:
    return load_params(None, tuple(f"{k}={v}" for k, v in values.items()))


def _space(experiment: katib.Experiment, part: str) -> tuple[list[dict], dict]:
    """(searched parameters, fixed trial settings) of this part of the model."""
    if part == "all":
        return experiment.space, experiment.fixed
    keep = set(lgbm.DEFAULTS)
    return (
        [p for p in experiment.space if p["name"] in keep],
        {k: v for k, v in experiment.fixed.items() if k in keep},
    )


def _starting_point(space: list[dict], defaults: dict) -> dict:
    """The committed defaults of the searched numeric parameters: trial 0, so the search has to beat them."""
    point = {}
    for p in space:
        value, feasible = defaults.get(p["name"]), p.get("feasibleSpace", {})
        if p["parameterType"] in ("double", "int") and value is not None:
            if float(feasible["min"]) <= float(value) <= float(feasible["max"]):
                point[p["name"]] = value
    return point


def _lgbm_objective(frames: dict, base: dict, seed: int, threads: int):
    """LightGBM's validation AUC, features built once for every trial (they do not depend on the params)."""
    max_steps = int(base.get("max_steps", sequence.DEFAULTS["max_steps"]))
    _, (table, _, _), (val_table, _, _) = features(frames["train"], frames["val"], max_steps)
    y, y_val = frames["train"][LABEL].to_numpy(), frames["val"][LABEL].to_numpy()

    def score(params: dict) -> tuple[dict[str, float], dict]:
        booster = lgbm.fit(table, y, val_table, y_val, base | params, seed, threads=threads)
        return {"lgbm": auc(y_val, lgbm.predict(booster, val_table))}, {
            "best_iteration": booster.best_iteration
        }

    return score


def _all_objective(frames: dict, base: dict, seed: int):
    cache: dict = {}

    def score(params: dict) -> tuple[dict[str, float], dict]:
        _, val_auc, _ = fit_bundle(frames["train"], frames["val"], base | params, seed, cache=cache)
        return val_auc, {}

    return score


def _study(experiment: katib.Experiment, storage: Path | None, name: str):
    if storage is None:
        return optuna.create_study(direction=experiment.direction, sampler=_sampler(experiment))
    Path(storage).parent.mkdir(parents=True, exist_ok=True)
    return optuna.create_study(
        direction=experiment.direction,
        sampler=_sampler(experiment),
        storage=f"sqlite:///{Path(storage).resolve()}",
        study_name=name,
        load_if_exists=True,
    )


def tune(
    experiment_path: Path,
    data_dir: Path,
    max_trials: int | None,
    seed: int,
    out: Path | None,
    echo=print,
    part: str = "all",
    storage: Path | None = None,
    subsample: int | None = None,
    threads: int = 2,
) -> dict:
    """`subsample` overrides the Experiment's (0: every row); `threads` is LightGBM's, for `part="lgbm"`."""
    experiment = katib.load(experiment_path)
    n_trials = max_trials or experiment.max_trials
    rows = experiment.subsample if subsample is None else (subsample or None)
    space, fixed_settings = _space(experiment, part)
    df, manifest = data.load(data_dir)
    defaults = source_defaults(manifest.get("source"))
    fixed = _params(fixed_settings)
    frames, _ = prepare(split.subsample(df, rows, seed), seed)
    registry.configure()
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    name = f"{Path(experiment_path).stem}-{part}-seed{seed}-rows{rows or 'all'}"
    study = _study(experiment, storage, name)
    done = [t for t in study.trials if t.state == optuna.trial.TrialState.COMPLETE]
    if not study.trials and (start := _starting_point(space, lgbm.DEFAULTS | defaults)):
        study.enqueue_trial(start)
    if done:
        echo(f"resuming study {name}: {len(done)} trials done, best {study.best_value:.6f}")
    base = defaults | fixed
    score = (
        _lgbm_objective(frames, base, seed, threads) if part == "lgbm" else _all_objective(frames, base, seed)
    )

    def objective(trial):
        params = _params(katib.suggest(trial, space))
        with mlflow.start_run(run_name=f"trial-{trial.number}", nested=True):
            val_auc, extra = score(params)
            value = max(v for v in val_auc.values() if not math.isnan(v))
            mlflow.log_params(base | params)
            mlflow.log_metrics(
                {experiment.objective: value} | {f"{c}_val_roc_auc": v for c, v in val_auc.items()} | extra
            )
        echo(
            f"trial {trial.number}: {experiment.objective}={value:.6f} "
            + " ".join(f"{k}={v:.4g}" for k, v in params.items())
        )
        return value

    with mlflow.start_run(run_name="tune"):
        mlflow.log_params(
            {
                "experiment": str(experiment_path),
                "algorithm": experiment.algorithm,
                "n_trials": n_trials,
                "part": part,
                "subsample": rows or "all",
                "seed": seed,
            }
        )
        study.optimize(objective, n_trials=max(0, n_trials - len(done)))
        # only the searched values: the fixed trial shortcuts (fewer epochs) are not meant for the final fit
        best = _params(study.best_params)
        mlflow.log_metric(f"best_{experiment.objective}", study.best_value)
        mlflow.log_dict(best, "best_params.json")
    if out is not None:
        write_text(Path(out), json.dumps(best, indent=2, sort_keys=True) + "\n")
    complete = sum(t.state == optuna.trial.TrialState.COMPLETE for t in study.trials)
    return {"best_value": study.best_value, "best_params": best, "n_trials": complete}
