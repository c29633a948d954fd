import json

import numpy as np
import pandas as pd

from readmit.evaluation.lace import lace_score
from readmit.evaluation.subgroups import attributes_compared, max_auc_gap, subgroup_table


def test_gap_is_the_largest_auc_difference_and_small_groups_are_not_rated():
    rng = np.random.default_rng(0)
    n = 3000
    groups = pd.DataFrame(
        {
            "sex": rng.choice(["female", "male"], n),
            "age_band": "60-69",
            "race": np.where(np.arange(n) < 50, "asian", "white"),
        }
    )
    y = rng.integers(0, 2, n)
    informative = np.where(groups["sex"] == "female", y * 0.5 + rng.random(n), rng.random(n))
    table = subgroup_table(groups, y, informative, 0.5)
    by = {(r["attribute"], r["group"]): r for r in table}
    assert by[("race", "asian")]["roc_auc"] is None  # 50 rows: too few to rate
    gap = by[("sex", "female")]["roc_auc"] - by[("sex", "male")]["roc_auc"]
    assert gap > 0.2 and np.isclose(max_auc_gap(table), gap)
    assert attributes_compared(table) == 1  # sex only: one age band, and asian is not rated


def test_a_gap_of_zero_from_unrated_groups_is_reported_as_not_compared():
    rng = np.random.default_rng(1)
    n = 150  # every group under 200 rows: nothing is rated
    groups = pd.DataFrame({"sex": rng.choice(["female", "male"], n), "age_band": "60-69", "race": "white"})
    table = subgroup_table(groups, rng.integers(0, 2, n), rng.random(n), 0.5)
    assert max_auc_gap(table) == 0.0
    assert attributes_compared(table) == 0


def test_lace_points_follow_the_published_scale():
    df = pd.DataFrame(
        {
            "los_days": [0.5, 3.0, 10.0, 20.0],
            "admission_acuity": ["elective", "emergency", "emergency", "urgent"],
            "dx_codes": [
                json.dumps([]),
                json.dumps(["I50.9"]),
                json.dumps(["I50.9", "N18.3", "C78.0"]),
                "[]",
            ],
            "dx_system": ["icd10"] * 4,
            "prior_emergency_365d": [0, 1, 7, 2],
        }
    )
    # L: 0, 3, 5, 7; A: 0, 3, 3, 0; C: 0, 1, 5 (charlson 9 -> 5), 0; E: 0, 1, 4 (capped), 2
    assert lace_score(df).tolist() == [0, 8, 17, 9]
