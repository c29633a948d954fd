"""The drift core on `readmit data synth --drift` cohorts: drift is flagged, a second sample is not."""

from __future__ import annotations

import json

import pytest

from readmit.monitoring.config import DEFAULT, DriftConfig
from readmit.monitoring.drift import analyze
from readmit.monitoring.view import FEATURES, PREDICTION

from .conftest import index_rows

pytestmark = pytest.mark.slow


_DEFAULT_RUNS: dict[str, dict] = {}


def summary(cohorts, name, config=DEFAULT, scorer=None):
    """The drift summary of cohort `name` against the reference; default runs are shared between tests."""
    if config is DEFAULT and scorer is None and name in _DEFAULT_RUNS:
        return _DEFAULT_RUNS[name]
    result = analyze(index_rows(cohorts["reference"]), index_rows(cohorts[name]), config, scorer).summary
    if config is DEFAULT and scorer is None:
        _DEFAULT_RUNS[name] = result
    return result


def test_a_second_sample_of_the_same_population_is_not_flagged(cohorts):
    result = summary(cohorts, "same")
    assert not result["dataset_drift"], result["drifted_features"]
    assert result["n_features"] == len(FEATURES)


def test_an_older_population_is_flagged_on_age(cohorts):
    result = summary(cohorts, "older-population")
    assert result["dataset_drift"]
    assert "age" in result["drifted_features"]


def test_new_coding_practice_is_flagged_on_the_primary_code(cohorts):
    result = summary(cohorts, "new-coding-practice")
    assert result["dataset_drift"]
    assert "dx_primary" in result["drifted_features"]
    assert "age" not in result["drifted_features"]


def test_a_lab_unit_change_undone_by_ingest_is_not_drift_but_a_naive_one_is(cohorts):
    assert summary(cohorts, "lab-unit-change")["features"]["lab_creatinine"]["drifted"] is False
    naive = index_rows(cohorts["lab-unit-change"])
    naive["labs"] = [
        json.dumps(
            {k: [[d, v * 88.42 if k == "creatinine" else v] for d, v in s] for k, s in json.loads(t).items()}
        )
        for t in naive["labs"]
    ]
    result = analyze(index_rows(cohorts["reference"]), naive, DriftConfig()).summary
    assert result["features"]["lab_creatinine"]["drifted"] is True


def test_every_column_reports_the_method_statistic_and_threshold_evidently_used(cohorts):
    config = DriftConfig(cat_method="psi", per_column_threshold={"age": 0.5}, current_sample=1000)
    result = summary(cohorts, "older-population", config)
    assert result["features"]["sex"]["method"] == "psi"
    assert result["features"]["age"]["threshold"] == 0.5
    assert result["features"]["age"]["method"] == "jensenshannon"
    for column in result["features"].values():
        assert column["statistic"] >= 0 and column["threshold"] is not None


def test_large_inputs_are_sampled_by_label_to_the_configured_size(cohorts):
    reference = index_rows(cohorts["reference"])
    result = summary(cohorts, "same", DriftConfig(reference_sample=1000, current_sample=800))
    ref, cur = result["samples"]["reference"], result["samples"]["current"]
    assert ref["rows"] == len(reference) and abs(ref["sampled"] - 1000) <= 2
    assert abs(cur["sampled"] - 800) <= 2 and cur["stratified_by"] == "label"


def test_prediction_drift_is_measured_when_a_scorer_gives_scores(cohorts):
    def by_age(rows):
        return rows["age"].clip(0, 90) / 100

    small = DriftConfig(reference_sample=1500, current_sample=1500)
    result = summary(cohorts, "older-population", small, scorer=by_age)
    assert result["prediction"]["method"] == "psi" and result["prediction"]["drifted"] is True
    same = summary(cohorts, "same", small, scorer=by_age)
    assert same["prediction"]["drifted"] is False
    assert PREDICTION not in same["features"]
