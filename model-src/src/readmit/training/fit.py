"""Fit both models on train, then the hybrid, model choice, calibration and threshold on validation only."""

from __future__ import annotations

import hashlib

import numpy as np
import pandas as pd

from readmit.evaluation.metrics import auc
from readmit.features import build, steps
from readmit.models import lgbm, sequence, threshold
from readmit.models.bundle import CANDIDATES, ModelBundle
from readmit.models.calibration import Calibrator
from readmit.models.hybrid import Stacker, crossfit_auc
from readmit.progress import Progress, quiet
from readmit.schema import LABEL
from readmit.training.determinism import seed_everything


def patient_fold(patient_keys: pd.Series) -> np.ndarray:
    return np.array([int(hashlib.sha256(k.encode()).hexdigest()[:8], 16) % 2 for k in patient_keys])


def features(train: pd.DataFrame, val: pd.DataFrame, max_steps: int):
    """(spec, training (table, steps, lengths), validation (table, steps, lengths)), fitted on train only."""
    spec = build.fit_spec(train)
    events = build.timelines(train)
    table = build.tabular(train, spec, events)
    seq, lengths = steps.vectors(events, max_steps, spec)
    val_events = build.timelines(val)
    val_features = (build.tabular(val, spec, val_events), *steps.vectors(val_events, max_steps, spec))
    return spec, (table, seq, lengths), val_features


def fit_bundle(
    train: pd.DataFrame,
    val: pd.DataFrame,
    params: dict,
    seed: int,
    calibration: str = "platt",
    cache: dict | None = None,
    progress: Progress = quiet,
) -> tuple[ModelBundle, dict[str, float], tuple]:
    """The fitted bundle, each candidate's validation AUC (the hybrid's cross-fitted) and the
    validation features. Features do not depend on the tuned parameters, so tuning passes a `cache`
    dict to build them once for all trials."""
    seed_everything(seed)
    max_steps = int(params.get("max_steps", sequence.DEFAULTS["max_steps"]))
    if cache is not None and max_steps in cache:
        spec, (table, seq, lengths), val_features = cache[max_steps]
    else:
        spec, (table, seq, lengths), val_features = features(train, val, max_steps)
        if cache is not None:
            cache[max_steps] = spec, (table, seq, lengths), val_features
    y, y_val = train[LABEL].to_numpy(), val[LABEL].to_numpy()
    progress(f"features built: {len(train)} train and {len(val)} validation rows, {table.shape[1]} columns")
    bundle = ModelBundle(
        spec=spec, booster=None, net=None, scaler=sequence.StaticScaler(table), max_steps=max_steps
    )
    bundle.booster = lgbm.fit(table, y, val_features[0], y_val, params, seed)
    progress("LightGBM fitted; fitting the sequence model")
    bundle.net = sequence.fit(
        seq, lengths, bundle.scaler.transform(table), y.astype(np.float32), params, seed
    )
    progress("sequence model fitted; stacking, calibration and threshold on validation")
    raw = bundle.candidates(val, val_features)
    bundle.stacker = Stacker().fit(raw["lgbm"], raw["sequence"], y_val)
    val_auc = {
        "lgbm": auc(y_val, raw["lgbm"]),
        "sequence": auc(y_val, raw["sequence"]),
        "hybrid": crossfit_auc(raw["lgbm"], raw["sequence"], y_val, patient_fold(val["patient_key"])),
    }
    bundle.selected = max(
        CANDIDATES, key=lambda c: (np.nan_to_num(val_auc[c], nan=-1.0), -CANDIDATES.index(c))
    )
    if bundle.selected != "hybrid":  # the stacker is already a logistic model fitted on validation
        bundle.calibrator = Calibrator(calibration).fit(raw[bundle.selected], y_val)
    bundle.threshold = threshold.choose(y_val, bundle.score(val, val_features))
    bundle.threshold_target = dict(threshold.TARGET)
    return bundle, val_auc, val_features
