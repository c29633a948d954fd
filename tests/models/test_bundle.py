"""ModelBundle runs only what the asked-for candidates read."""

import numpy as np
import pytest

from readmit.features import build
from readmit.models import bundle as bundle_module
from readmit.models.bundle import ModelBundle
from training._frames import make_index


class _Booster:
    best_iteration = 0

    def predict(self, values, num_iteration=None, **_):
        return np.full(len(values), 0.25)


def test_a_lightgbm_bundle_scores_without_building_step_vectors(monkeypatch):
    def no_steps(*_):
        raise AssertionError("LightGBM reads only the table; the step vectors were built anyway")

    monkeypatch.setattr(bundle_module, "step_vectors", no_steps)
    df = make_index(20, seed=2)
    bundle = ModelBundle(build.fit_spec(df), _Booster(), net=None, scaler=None, max_steps=3)
    assert bundle.score(df).tolist() == [0.25] * len(df)
    with pytest.raises(AssertionError, match="step vectors"):
        bundle.candidates(df, wanted=("sequence",))
