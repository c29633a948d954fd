import json

import pytest

from readmit.errors import InputError
from readmit.training.params import load as load_params
from readmit.training.split import UNUSED, assign, periods, subsample
from training._frames import make_index


def test_no_patient_is_in_two_splits_and_fractions_are_close():
    df = make_index(500, seed=0)
    where = assign(df, seed=1)
    per_patient = df.assign(split=where).groupby("patient_key")["split"].nunique()
    assert per_patient.max() == 1
    patients = df.assign(split=where).groupby("split")["patient_key"].nunique()
    assert patients["test"] == 100 and patients["val"] == 80 and patients["train"] == 320


def test_split_depends_on_seed_and_patients_not_on_row_order():
    df = make_index(300, seed=1)
    shuffled = df.sample(frac=1.0, random_state=3)
    a = dict(zip(df["encounter_key"], assign(df, seed=5), strict=True))
    b = dict(zip(shuffled["encounter_key"], assign(shuffled, seed=5), strict=True))
    assert a == b
    assert a != dict(zip(df["encounter_key"], assign(df, seed=6), strict=True))


def _with_periods(df):
    """extra.period in encounter order across patients, as UCI ingest writes it (encounter_id order)."""
    order = df["admit_day"].rank(method="first").astype(int)
    return df.assign(extra=[json.dumps({"period": int(o)}) for o in order])


def test_temporal_split_trains_on_the_past_and_tests_on_the_latest_stays():
    df = _with_periods(make_index(300, seed=2))
    where = assign(df, seed=0, method="temporal")
    period = periods(df).to_numpy()
    per_patient = df.assign(split=where)[where != UNUSED].groupby("patient_key")["split"].nunique()
    assert per_patient.max() == 1  # no patient in two splits
    latest = {name: period[where == name] for name in ("train", "val", "test")}
    assert latest["train"].max() <= latest["val"].min() and latest["val"].max() <= latest["test"].min()
    # a test or validation patient's earlier stays are left out, never trained on
    unused = df[where == UNUSED]
    assert len(unused) and set(unused["patient_key"]) <= set(df.loc[where != "train", "patient_key"])
    assert not set(unused["patient_key"]) & set(df.loc[where == "train", "patient_key"])


def test_temporal_split_without_a_time_order_is_refused_with_a_fix():
    df = make_index(50, seed=3)  # FHIR-like rows: *_day are relative to each patient, no extra.period
    with pytest.raises(InputError, match="--split grouped"):
        assign(df, seed=0, method="temporal")


def test_split_comes_from_the_params_file_and_is_checked(tmp_path):
    path = tmp_path / "p.yaml"
    path.write_text("split: temporal\nlearning_rate: 0.1\n")
    assert load_params(path) == {"split": "temporal", "learning_rate": 0.1}
    path.write_text("split: random\n")
    with pytest.raises(InputError, match="grouped, temporal"):
        load_params(path)


def test_subsample_keeps_whole_patients():
    df = make_index(300, seed=4)
    small = subsample(df, 200, seed=0)
    assert len(small) <= 200
    kept = set(small["patient_key"])
    assert (df["patient_key"].isin(kept).sum()) == len(small)
