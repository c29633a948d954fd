import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import roc_auc_score

from readmit.evaluation.bands import RATING_BANDS, rating_band, rating_group
from readmit.evaluation.resample import WeightedAUC, replicate_counts
from readmit.evaluation.subgroups import fairness


@pytest.mark.parametrize(
    "band, rated",
    [
        ("0-9", "<40"),
        ("18-29", "<40"),
        ("0-39", "<40"),  # widened by k-anonymity, still inside one rating band
        ("40-49", "40-59"),
        ("50-59", "40-59"),
        ("40-59", "40-59"),
        ("60-69", "60-79"),
        ("70-79", "60-79"),
        ("80-89", "80+"),
        ("90+", "80+"),
        ("80+", "80+"),
    ],
)
def test_every_ingested_band_maps_onto_one_rating_band(band, rated):
    assert rating_band(band) == rated


@pytest.mark.parametrize("band", ["any", "unknown", "", "35-44", "30+", "nonsense"])
def test_a_band_that_fits_no_single_rating_band_is_reported_not_split(band):
    assert rating_band(band) is None
    assert rating_group(band).startswith("unmapped: ")


def test_rating_bands_do_not_overlap():
    for (_, _, high), (_, low, _) in zip(RATING_BANDS, RATING_BANDS[1:], strict=False):
        assert high < low


def test_weighted_auc_equals_sklearn_on_the_resampled_rows():
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 500)
    p = np.round(rng.random(500) + 0.3 * y, 2)  # rounded: ties are handled as sklearn does
    counts = replicate_counts(500, 3, seed=1)
    for c in counts:
        rows = np.repeat(np.arange(500), c.astype(int))
        assert WeightedAUC(y, p)(c) == pytest.approx(roc_auc_score(y[rows], p[rows]))


def _population(n=6000, seed=0, young_signal=0.6):
    rng = np.random.default_rng(seed)
    groups = pd.DataFrame(
        {
            "sex": rng.choice(["female", "male"], n),
            "age_band": rng.choice(["30-39", "40-49", "50-59", "70-79", "90+", "0-39", "any"], n),
            "race": "white",
        }
    )
    y = (rng.random(n) < 0.2).astype(int)
    young = groups["age_band"].isin(["30-39", "0-39"]).to_numpy()
    p = rng.random(n) + np.where(young, young_signal, 0.3) * y
    return groups, y, p


def test_age_is_rated_on_fixed_bands_and_unmappable_rows_are_listed_unrated():
    groups, y, p = _population()
    table = fairness(groups, y, p, 0.5, n_boot=50)["table"]
    ages = {r["group"]: r for r in table if r["attribute"] == "age_band"}
    assert set(ages) == {"<40", "40-59", "60-79", "80+", "unmapped: any"}
    assert ages["<40"]["n"] == int(groups["age_band"].isin(["30-39", "0-39"]).sum())
    assert ages["unmapped: any"]["roc_auc"] is None and ages["unmapped: any"]["n"] > 200


def test_group_and_gap_intervals_cover_their_point_estimates():
    groups, y, p = _population()
    result = fairness(groups, y, p, 0.5, n_boot=100, seed=3)
    for r in result["table"]:
        if r["roc_auc"] is not None:
            assert r["roc_auc_ci_low"] < r["roc_auc"] < r["roc_auc_ci_high"]
    assert result["gap_ci_low"] < result["gap"] < result["gap_ci_high"]
    assert result["gap_ci_low"] > 0.1  # the young band really is much better ranked


def test_a_gap_from_noise_in_small_groups_has_an_interval_reaching_near_zero():
    groups, y, p = _population(n=2400, seed=5, young_signal=0.3)  # no real difference between groups
    result = fairness(groups, y, p, 0.5, n_boot=200, seed=1)
    assert result["gap"] > 0  # the point gap is never zero
    assert result["gap_ci_low"] < 0.05


def test_intervals_are_repeatable_with_the_seed():
    groups, y, p = _population(n=1500)
    assert fairness(groups, y, p, 0.5, n_boot=30, seed=7) == fairness(groups, y, p, 0.5, n_boot=30, seed=7)
