import numpy as np

from readmit.evaluation import metrics as m


def _calibrated(n=20000, seed=0):
    rng = np.random.default_rng(seed)
    p = rng.uniform(0.01, 0.6, n)
    return (rng.random(n) < p).astype(int), p


def test_calibrated_predictions_have_slope_one_intercept_zero_and_small_ece():
    y, p = _calibrated()
    slope, intercept = m.calibration_slope_intercept(y, p)
    assert abs(slope - 1) < 0.1 and abs(intercept) < 0.1
    assert m.ece(y, p) < 0.02
    assert m.ece(y, np.clip(p + 0.2, 0, 1)) > 0.15


def test_bootstrap_ci_brackets_the_auc_and_is_repeatable():
    y, p = _calibrated(3000, seed=1)
    low, high = m.bootstrap_auc_ci(y, p, n_boot=100, seed=3)
    assert low < m.auc(y, p) < high and high - low < 0.1
    assert (low, high) == m.bootstrap_auc_ci(y, p, n_boot=100, seed=3)


def test_threshold_metrics_count_flags():
    y = np.array([1, 1, 0, 0, 1])
    p = np.array([0.9, 0.2, 0.8, 0.1, 0.7])
    out = m.at_threshold(y, p, 0.5)
    assert out == {"precision": 2 / 3, "recall": 2 / 3, "f1": 2 / 3}


def test_evaluate_reports_every_gate_metric():
    y, p = _calibrated(2000, seed=2)
    out = m.evaluate(y, p, 0.3, n_boot=20)
    for key in (
        "roc_auc",
        "roc_auc_ci_low",
        "roc_auc_ci_high",
        "auprc",
        "precision",
        "recall",
        "f1",
        "brier",
        "calibration_slope",
        "calibration_intercept",
        "ece",
    ):
        assert np.isfinite(out[key]), key
