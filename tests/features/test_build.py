import json

import numpy as np

from readmit.features import build
from training._frames import make_index


def test_columns_are_fixed_by_the_spec_so_one_row_and_many_rows_agree():
    df = make_index(40, seed=4)
    spec = build.fit_spec(df)
    many = build.tabular(df, spec)
    one = build.tabular(df.iloc[[5]], spec)
    assert list(one.columns) == list(many.columns)
    np.testing.assert_allclose(one.to_numpy(), many.iloc[[5]].to_numpy())


def test_unseen_codes_and_extra_values_are_ignored_not_new_columns():
    df = make_index(40, seed=5)
    spec = build.fit_spec(df)
    odd = df.iloc[:3].copy()
    odd["med_codes"] = json.dumps(["never-seen-drug"])
    odd["extra"] = json.dumps({"payer": "zzz", "brand_new": 1})
    assert list(build.tabular(odd, spec).columns) == list(build.tabular(df, spec).columns)


def test_feature_names_carry_no_json_punctuation():
    df = make_index(40, seed=6)
    df["extra"] = json.dumps({"specialty": 'Surgery-"Cardio":[x],{y}'})
    names = build.tabular(df, build.fit_spec(df)).columns
    assert not any(ch in name for name in names for ch in '"[]{}:,')


def test_the_time_order_key_is_never_a_feature():
    df = make_index(120, seed=3)
    df["extra"] = [json.dumps({"period": i, "payer": "a"}) for i in range(len(df))]
    spec = build.fit_spec(df)
    assert "period" not in spec.extra_numeric and "period" not in spec.extra_values
    assert not [c for c in build.tabular(df, spec).columns if "period" in c]
