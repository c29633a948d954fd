"""Same data, same seed, same code: the same metrics to 1e-6."""

import numpy as np

from readmit.training.pipeline import fit_and_evaluate, prepare
from training._frames import make_index

PARAMS = {"epochs": 2, "num_boost_round": 60}


def _metrics(seed):
    frames, _ = prepare(make_index(250, seed=9), seed)
    return fit_and_evaluate(frames, PARAMS, seed, n_boot=30)[1]["metrics"]


def test_two_runs_with_the_same_seed_give_the_same_metrics():
    a, b = _metrics(3), _metrics(3)
    assert a.keys() == b.keys()
    for key in a:
        assert np.isclose(a[key], b[key], atol=1e-6, rtol=0, equal_nan=True), key


def test_a_different_seed_gives_different_metrics():
    a, b = _metrics(3), _metrics(4)
    assert any(not np.isclose(a[k], b[k], atol=1e-6, equal_nan=True) for k in a)
