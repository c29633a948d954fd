import numpy as np
import pytest

from readmit.errors import InputError
from readmit.training.split import assign, subsample
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


def test_temporal_split_holds_out_the_latest_patients():
    df = make_index(300, seed=2)
    where = assign(df, seed=0, method="temporal")
    first = (
        df.assign(split=where)
        .groupby("patient_key")
        .agg(first=("admit_day", "min"), split=("split", "first"))
    )
    assert (
        first.loc[first["split"] == "test", "first"].min()
        >= first.loc[first["split"] == "train", "first"].max()
    )


def test_temporal_split_without_dates_is_refused_with_a_fix():
    df = make_index(50, seed=3)
    df["admit_day"] = np.nan
    with pytest.raises(InputError, match="--split grouped"):
        assign(df, seed=0, method="temporal")


def test_subsample_keeps_whole_patients():
    df = make_index(300, seed=4)
    small = subsample(df, 200, seed=0)
    assert len(small) <= 200
    kept = set(small["patient_key"])
    assert (df["patient_key"].isin(kept).sum()) == len(small)
