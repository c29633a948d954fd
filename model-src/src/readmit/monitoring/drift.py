"""The drift core: reference rows and current rows in, Evidently snapshot and a plain summary out (pure).

Evidently 0.7's current API: `Report([...], include_tests=True).run(current, reference)`, current first,
with column types declared by a DataDefinition rather than inferred.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd
from evidently import DataDefinition, Dataset, Report
from evidently.metrics import ValueDrift
from evidently.presets import DataDriftPreset

from readmit.monitoring.config import DriftConfig
from readmit.monitoring.sample import stratified
from readmit.monitoring.view import CATEGORICAL_COLUMNS, FEATURES, PREDICTION, code_vocabulary, monitored


@dataclass
class DriftResult:
    summary: dict
    snapshot: object  # evidently Snapshot: .save_html / .get_html_str for the report


def _measurable(reference: pd.DataFrame, current: pd.DataFrame) -> tuple[list[str], list[str]]:
    """Features present with at least one value on both sides; the rest are listed as not measured."""
    ok = [c for c in FEATURES if reference[c].notna().any() and current[c].notna().any()]
    return ok, [c for c in FEATURES if c not in ok]


def _definition(columns: list[str]) -> DataDefinition:
    return DataDefinition(
        numerical_columns=[c for c in columns if c not in CATEGORICAL_COLUMNS],
        categorical_columns=[c for c in columns if c in CATEGORICAL_COLUMNS],
    )


def _preset(columns: list[str], config: DriftConfig) -> DataDriftPreset:
    return DataDriftPreset(
        columns=columns,
        drift_share=config.drift_share,
        num_method=config.num_method,
        cat_method=config.cat_method,
        num_threshold=config.num_threshold,
        cat_threshold=config.cat_threshold,
        per_column_method=dict(config.per_column_method) or None,
        per_column_threshold=dict(config.per_column_threshold) or None,
    )


def _columns(result: dict) -> dict[str, dict]:
    """Per column: Evidently's method, statistic, threshold and its test verdict, read back from the run."""
    verdicts = {t["metric_config"]["metric_id"]: t["status"] for t in result["tests"] if t["id"] == "drift"}
    out = {}
    for metric in result["metrics"]:
        config = metric.get("config", {})
        if config.get("type") != "evidently:metric_v2:ValueDrift":
            continue
        out[config["column"]] = {
            "method": config.get("method"),
            "statistic": float(metric["value"]),
            "threshold": config.get("threshold"),
            "drifted": verdicts.get(metric["id"]) == "FAIL",
        }
    return out


Scorer = Callable[[pd.DataFrame], pd.Series]


def _scored(rows: pd.DataFrame, scorer: Scorer | None) -> pd.DataFrame:
    """Rows with PREDICTION: kept when logged, else from `scorer` (the served version) when given."""
    if scorer is None or (PREDICTION in rows.columns and rows[PREDICTION].notna().all()):
        return rows
    return rows.assign(**{PREDICTION: scorer(rows)})


def analyze(
    reference_rows: pd.DataFrame,
    current_rows: pd.DataFrame,
    config: DriftConfig,
    scorer: Scorer | None = None,
) -> DriftResult:
    """Sample both sides, derive the monitored view, run Evidently and summarise its verdicts.
    `scorer` scores the sampled rows of a side without logged predictions (a training set)."""
    ref_rows, ref_info = stratified(reference_rows, config.reference_sample, config.seed)
    cur_rows, cur_info = stratified(current_rows, config.current_sample, config.seed)
    ref_rows, cur_rows = _scored(ref_rows, scorer), _scored(cur_rows, scorer)
    vocabulary = code_vocabulary(ref_rows, config.top_codes)
    reference, current = monitored(ref_rows, vocabulary), monitored(cur_rows, vocabulary)
    columns, unmeasured = _measurable(reference, current)
    scored = PREDICTION in reference.columns and PREDICTION in current.columns
    keep = columns + ([PREDICTION] if scored else [])
    definition = _definition(keep)
    items = [_preset(columns, config)]
    if scored:
        items.append(
            ValueDrift(
                column=PREDICTION, method=config.prediction_method, threshold=config.prediction_threshold
            )
        )
    snapshot = Report(items, include_tests=True).run(
        Dataset.from_pandas(current[keep].reset_index(drop=True), data_definition=definition),
        Dataset.from_pandas(reference[keep].reset_index(drop=True), data_definition=definition),
    )
    per_column = _columns(snapshot.dict())
    features = {c: per_column[c] | {"type": _kind(c)} for c in columns}
    drifted = sorted(c for c, v in features.items() if v["drifted"])
    share = len(drifted) / len(features) if features else 0.0
    summary = {
        "dataset_drift": dataset_drift(len(drifted), len(features), config),
        "drift_share_threshold": config.drift_share,
        "share_drifted_features": share,
        "drifted_features": drifted,
        "n_features": len(features),
        "features": features,
        "not_measured": unmeasured,
        "prediction": per_column.get(PREDICTION) if scored else None,
        "samples": {"reference": ref_info, "current": cur_info},
        "code_vocabulary": list(vocabulary),
    }
    return DriftResult(summary, snapshot)


def dataset_drift(n_drifted: int, n_features: int, config: DriftConfig) -> bool:
    """The dataset drift flag: at least `drift_share` of the measured features drifted (Evidently's
    DriftedColumnsCount test with the same share). apps/readmission's ReadmissionFeatureDrift alert fires
    at the same point on readmit_drift_score."""
    return n_features > 0 and n_drifted / n_features >= config.drift_share


def _kind(column: str) -> str:
    return "categorical" if column in CATEGORICAL_COLUMNS else "numerical"
