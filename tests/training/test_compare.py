import json

from readmit.features import build
from readmit.training.compare import companion, other_method
from training._frames import make_index


def _rows(with_period: bool):
    df = make_index(400, seed=11)
    if with_period:
        order = df["admit_day"].rank(method="first").astype(int)
        df["extra"] = [json.dumps({"period": int(o)}) for o in order]
    return df, build.tabular(df, build.fit_spec(df))


def test_the_other_split_is_refitted_and_scored_beside_lace():
    df, table = _rows(with_period=True)
    out = companion(df, table, "temporal", {"num_boost_round": 30}, seed=0, n_boot=20)
    assert out["available"] and 0.5 < out["lgbm_test_roc_auc"] <= 1.0
    assert out["lgbm_test_roc_auc_ci_low"] <= out["lgbm_test_roc_auc"] <= out["lgbm_test_roc_auc_ci_high"]
    assert 0 < out["test_n"] < len(df) and 0 <= out["lace_test_roc_auc"] <= 1


def test_a_split_the_data_cannot_support_is_reported_with_its_reason():
    df, table = _rows(with_period=False)
    out = companion(df, table, "temporal", {}, seed=0)
    assert out == {"available": False, "reason": out["reason"]} and "no global time order" in out["reason"]
    assert other_method("grouped") == "temporal" and other_method("temporal") == "grouped"
