import numpy as np
import pytest
from sklearn.metrics import roc_auc_score

from readmit.evaluation.metrics import calibration_slope_intercept
from readmit.models import threshold
from readmit.models.calibration import Calibrator
from readmit.models.hybrid import Stacker, crossfit_auc


def _overconfident(n=4000, seed=0):
    rng = np.random.default_rng(seed)
    true_p = rng.uniform(0.02, 0.5, n)
    y = (rng.random(n) < true_p).astype(int)
    logits = np.log(true_p / (1 - true_p))
    return y, 1 / (1 + np.exp(-3 * logits))  # same ranking, far too extreme


@pytest.mark.parametrize("method", ["platt", "isotonic"])
def test_calibration_fixes_overconfidence_without_reordering_much(method):
    y, scores = _overconfident()
    calibrated = Calibrator(method).fit(scores[:2000], y[:2000]).predict(scores[2000:])
    slope_raw, _ = calibration_slope_intercept(y[2000:], scores[2000:])
    slope_cal, _ = calibration_slope_intercept(y[2000:], calibrated)
    # isotonic steps overfit a little on 2000 rows, so it gets a looser band than Platt
    assert slope_raw < 0.5 and abs(slope_cal - 1) < (0.15 if method == "platt" else 0.35)
    assert roc_auc_score(y[2000:], calibrated) > roc_auc_score(y[2000:], scores[2000:]) - 0.01


def test_unknown_calibration_method_is_refused():
    with pytest.raises(ValueError, match="platt"):
        Calibrator("beta")


def test_threshold_meets_the_recall_target_at_the_best_precision():
    y, scores = _overconfident(seed=1)

    def precision_recall(t):
        flagged = scores >= t
        return (flagged & (y == 1)).sum() / flagged.sum(), (flagged & (y == 1)).sum() / (y == 1).sum()

    chosen_precision, chosen_recall = precision_recall(threshold.choose(y, scores, min_recall=0.6))
    feasible = [p for p, r in map(precision_recall, np.unique(scores)[::7]) if r >= 0.6]
    assert chosen_recall >= 0.6
    assert chosen_precision >= max(feasible) - 1e-12


def test_stacker_weights_the_informative_model_and_crossfit_auc_is_honest():
    rng = np.random.default_rng(2)
    y = rng.integers(0, 2, 3000)
    good = np.clip(0.3 + 0.3 * y + rng.normal(0, 0.2, 3000), 0.01, 0.99)
    noise = rng.uniform(0.01, 0.99, 3000)
    stacker = Stacker().fit(good, noise, y)
    assert stacker.weights["lgbm"] > 5 * abs(stacker.weights["sequence"])
    fold = rng.integers(0, 2, 3000)
    assert abs(crossfit_auc(good, noise, y, fold) - roc_auc_score(y, good)) < 0.02


@pytest.mark.parametrize("method", ["platt", "isotonic"])
@pytest.mark.parametrize("n", [1, 257])
def test_calibrator_applies_the_fitted_sklearn_mapping_bit_for_bit(method, n):
    rng = np.random.default_rng(5)
    scores = rng.uniform(0, 1, 3000)
    y = (rng.uniform(0, 1, 3000) < scores).astype(int)
    calibrator = Calibrator(method).fit(scores, y)
    new = rng.uniform(-0.1, 1.1, n)  # outside the fitted range too: isotonic clips
    if method == "platt":
        p = np.clip(new, 1e-6, 1 - 1e-6)
        expected = calibrator.model.predict_proba(np.log(p / (1 - p))[:, None])[:, 1]
    else:
        expected = calibrator.model.predict(new)
    assert np.array_equal(calibrator.predict(new), expected)


def test_stacker_predicts_what_its_logistic_regression_predicts_bit_for_bit():
    rng = np.random.default_rng(6)
    p_lgbm, p_seq = rng.uniform(0.01, 0.99, (2, 2000))
    y = (rng.uniform(0, 1, 2000) < (p_lgbm + p_seq) / 2).astype(int)
    stacker = Stacker().fit(p_lgbm, p_seq, y)
    a, b = rng.uniform(0.01, 0.99, (2, 9))
    design = np.column_stack([np.log(a / (1 - a)), np.log(b / (1 - b))])
    assert np.array_equal(stacker.predict(a, b), stacker.model.predict_proba(design)[:, 1])
