"""`readmit train`: load, clean, split, fit, evaluate, write outputs, log and register."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pandas as pd

from readmit.atomic import atomic_dir
from readmit.errors import InputError
from readmit.evaluation import paper
from readmit.evaluation.report import metrics_document, split_report
from readmit.features.clean import clean
from readmit.progress import Progress, quiet
from readmit.schema import LABEL
from readmit.training import compare, data, outputs, split, track
from readmit.training.fit import fit_bundle
from readmit.training.params import source_defaults


def prepare(df: pd.DataFrame, seed: int, method: str = "grouped") -> tuple[dict[str, pd.DataFrame], dict]:
    """Clean rows, then the patient-grouped splits; fails with one line when a split has one class."""
    rows, dropped = clean(df)
    where = split.assign(rows, seed, method=method)
    if unused := int((where == split.UNUSED).sum()):
        dropped = {**dropped, "temporal_split_earlier_stays_of_later_patients": unused}
    frames = {name: rows[where == name].reset_index(drop=True) for name in ("train", "val", "test")}
    for name, frame in frames.items():
        if frame[LABEL].nunique() < 2:
            raise InputError(
                f"index.parquet: the {name} split has {len(frame)} rows and a single label "
                "value; ingest more patients (both outcomes are needed in every split)"
            )
    return frames, dropped


def fit_and_evaluate(
    frames: dict[str, pd.DataFrame],
    params: dict,
    seed: int,
    n_boot: int = 200,
    calibration: str = "platt",
    progress: Progress = quiet,
):
    """(bundle, metrics document, per-split reports): no I/O, so determinism can be tested directly.
    reports["train"] holds only the training features (for the companion split)."""
    cache: dict = {}
    bundle, val_auc, val_features = fit_bundle(
        frames["train"], frames["val"], params, seed, calibration, cache=cache, progress=progress
    )
    train_table = next(iter(cache.values()))[1][0]
    progress(f"selected {bundle.selected}; evaluating validation and test with {n_boot} bootstrap samples")
    reports = {
        "val": split_report(bundle, frames["val"], "val", seed, n_boot, val_features),
        "test": split_report(bundle, frames["test"], "test", seed, n_boot),
    }
    doc = metrics_document(bundle, reports, val_auc)
    doc["paper_comparison"] = paper.at_paper_recall(reports["val"]["scores"], reports["test"]["scores"])
    return bundle, doc, reports | {"train": {"features": (train_table,)}}


def compare_splits(frames: dict, reports: dict, method: str, params: dict, seed: int, doc: dict) -> dict:
    """{"grouped": {...}, "temporal": {...}}: this run's test figures and the other split's companion."""
    names = ("train", "val", "test")
    rows = pd.concat([frames[n] for n in names], ignore_index=True)
    table = pd.concat([reports[n]["features"][0] for n in names], ignore_index=True)
    other = compare.other_method(method)
    return {method: compare.own(doc), other: compare.companion(rows, table, other, params, seed)}


def train(
    data_dir: Path,
    params: dict,
    seed: int,
    method: str | None = None,
    out_dir: Path | None = None,
    register: bool = True,
    n_boot: int = 200,
    subsample: int | None = None,
    progress: Progress = quiet,
) -> dict:
    df, manifest = data.load(data_dir)
    params = source_defaults(manifest.get("source")) | params
    method = method or params.get("split", "grouped")
    frames, dropped = prepare(split.subsample(df, subsample, seed), seed, method)
    progress(
        f"loaded {len(df)} index rows; {method} split {', '.join(f'{k} {len(v)}' for k, v in frames.items())}"
    )
    bundle, doc, reports = fit_and_evaluate(frames, params, seed, n_boot, progress=progress)
    progress(f"companion: LightGBM on the {compare.other_method(method)} split of the same rows")
    comparison = compare_splits(frames, reports, method, params, seed, doc)
    flat = {
        f"{name}_split_{key}": float(value)
        for name, figures in comparison.items()
        for key, value in figures.items()
        if key in ("lgbm_test_roc_auc", "lace_test_roc_auc") and value is not None
    }
    doc = {**doc, "split_comparison": comparison, "metrics": dict(sorted((doc["metrics"] | flat).items()))}
    data_version = str(manifest.get("data_version", "unknown"))
    context = {
        "data_version": data_version,
        "git_commit": track.git_commit(),
        "seed": seed,
        "split": method,
        "params": params,
        "dropped": dropped,
        "cohort": _cohort(manifest, frames),
    }
    test_features = reports["test"]["features"][0]
    progress("writing plots and the model card; logging to MLflow" + (" and registering" if register else ""))
    with tempfile.TemporaryDirectory() as tmp:
        outputs.write(Path(tmp), doc, reports["test"], bundle, test_features, context)
        example = frames["test"].drop(columns=[LABEL]).head(5)
        run_id, version = track.log_and_register(
            bundle, doc, {**params, "seed": seed, "split": method}, Path(tmp), example, data_version, register
        )
        if out_dir is not None:
            with atomic_dir(Path(out_dir)) as target:
                for path in Path(tmp).rglob("*"):
                    if path.is_file():
                        dest = target / path.relative_to(tmp)
                        dest.parent.mkdir(parents=True, exist_ok=True)
                        dest.write_bytes(path.read_bytes())
    return {
        "run_id": run_id,
        "version": version,
        "metrics": doc["metrics"],
        "selected": bundle.selected,
        "threshold": bundle.threshold,
    }


def _cohort(manifest: dict, frames: dict[str, pd.DataFrame]) -> str:
    sizes = ", ".join(
        f"{name} {len(f)} rows / {f['patient_key'].nunique()} patients" for name, f in frames.items()
    )
    return f"source {manifest.get('source', 'unknown')}; {sizes}"
