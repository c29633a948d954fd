"""Explanations add up: base value + contributions == the explained logit (to 1e-6), for the LightGBM
bundle as trained and for the hybrid (the sequence model as one term in the stacker's logit space)."""

from __future__ import annotations

import copy
from types import SimpleNamespace

import numpy as np
import pandas as pd

from readmit import registry
from readmit.features.clean import clean
from readmit.models import lgbm
from readmit.models.hybrid import Stacker
from readmit.pyfunc import unwrap
from readmit.serving import explain, score
from readmit.serving.contract import RuntimeConfig


def _rows(served_model, n=80):
    rows, _ = clean(pd.read_parquet(served_model["data"] / "index.parquet"))
    return rows.iloc[:n].reset_index(drop=True)


def _check(bundle, rows):
    features = bundle.features(rows)
    candidates = bundle.candidates(rows, features)
    parts = explain.decompose(bundle, features[0], candidates["sequence"])
    target = explain.explained_logit(bundle, candidates)
    assert np.max(np.abs(parts["base"] + parts["terms"].sum(axis=1) - target)) < 1e-6
    config = RuntimeConfig("readmission", "1", {"medium": 0.1, "high": 0.3})
    shown = score.score(bundle, rows.drop(columns=["label"]), config, True)["explanation"]
    for row, e in enumerate(shown):
        assert abs(e["base_value"] + sum(c["contribution"] for c in e["contributions"]) - target[row]) < 1e-6
    return parts, shown


def test_lightgbm_terms_add_up_to_its_logit(served_model):
    bundle = unwrap(registry.load_model(1))
    bundle.selected = "lgbm"
    parts, _ = _check(bundle, _rows(served_model))
    assert explain.SEQUENCE_TERM not in parts["names"]


def test_hybrid_reports_the_sequence_model_as_one_term(served_model):
    bundle = copy.deepcopy(unwrap(registry.load_model(1)))
    rows = _rows(served_model)
    raw = bundle.candidates(rows)
    bundle.stacker = Stacker().fit(raw["lgbm"], raw["sequence"], rows["label"].to_numpy())
    bundle.selected = "hybrid"
    parts, shown = _check(bundle, rows)
    assert parts["names"].count(explain.SEQUENCE_TERM) == 1 and parts["parts"][-1] == "sequence"
    assert all(e["space"] == "stacker_logit" for e in shown)


def test_treeshap_runs_with_the_bundles_thread_count(monkeypatch):
    """The runtime sets one thread per worker; TreeSHAP with the training threads spins OpenMP threads
    around a one-row request, many times the CPU of the scoring itself."""
    asked = []

    def contributions(booster, X, threads):
        asked.append(threads)
        return np.zeros((len(X), X.shape[1] + 1))

    monkeypatch.setattr(lgbm, "contributions", contributions)
    bundle = SimpleNamespace(selected="lgbm", booster=object(), threads=1)
    parts = explain.decompose(bundle, pd.DataFrame({"age": [70.0]}), None)
    assert asked == [1] and parts["names"] == ["age"]
