import json
import shutil

import pandas as pd
import pytest

from readmit.data.validate import validate
from readmit.errors import CheckFailed, InputError


@pytest.fixture
def copy(synth_ingested, tmp_path):
    target = tmp_path / "set"
    shutil.copytree(synth_ingested, target)
    return target


def _edit(directory, change):
    index = pd.read_parquet(directory / "index.parquet")
    index = change(index)
    index.to_parquet(directory / "index.parquet", index=False)


def _problems(directory):
    with pytest.raises(CheckFailed) as err:
        validate(directory)
    return "\n".join(err.value.problems)


def test_a_fresh_ingest_passes(synth_ingested):
    result = validate(synth_ingested)
    assert result["index_rows"] > 0 and 0 < result["label_prevalence"] < 1


def test_out_of_range_values_are_each_reported(copy):
    def change(df):
        df.loc[0, "age"] = 130
        df.loc[1, "los_days"] = -1.0
        df.loc[2, "label"] = 3
        df.loc[4, "encounter_key"] = df.loc[3, "encounter_key"]
        return df

    _edit(copy, change)
    problems = _problems(copy)
    for text in (
        "age outside 0-120 (row 0)",
        "los_days missing or negative (row 1)",
        "label missing or not 0/1 (row 2)",
        "duplicate encounter_key (row 3, 4)",
        "data_version does not match",
    ):
        assert text in problems


def test_leakage_from_after_the_index_discharge_is_caught(copy):
    def change(df):
        row = df.index[df["history"].map(lambda h: len(json.loads(h)) > 0)][0]
        items = json.loads(df.at[row, "history"])
        items[-1]["discharge_day"] = df.at[row, "admit_day"] + 5
        df.at[row, "history"] = json.dumps(items)
        other = df.index[0] if df.index[0] != row else df.index[1]  # one reason is reported per row
        labs = json.loads(df.at[other, "labs"])
        labs["creatinine"] = [[df.at[other, "discharge_day"] + 3, 1.0]]
        df.at[other, "labs"] = json.dumps(labs)
        lab_row.append(other)
        return df

    lab_row = []
    _edit(copy, change)
    problems = _problems(copy)
    assert "leakage: history holds an encounter that ended after the index admission" in problems
    assert f"leakage: labs hold a result taken after the index discharge (row {lab_row[0]}" in problems


def test_schema_problems_are_reported(copy):
    _edit(copy, lambda df: df.drop(columns=["label"]).assign(age=df["age"].astype(str)))
    problems = _problems(copy)
    assert "index.parquet: missing column label" in problems
    assert "index.parquet: column age has dtype object, expected int" in problems


def test_missing_files_and_directories(tmp_path):
    with pytest.raises(InputError, match="not a directory"):
        validate(tmp_path / "absent")
    with pytest.raises(CheckFailed) as err:
        validate(tmp_path)
    assert "index.parquet: missing" in err.value.problems


def test_an_empty_training_set_is_an_input_error_with_the_count(copy):
    _edit(copy, lambda df: df.iloc[0:0])
    with pytest.raises(InputError, match="0 index stays"):
        validate(copy)


def test_a_one_class_training_set_is_an_input_error_with_the_count(copy):
    n = len(pd.read_parquet(copy / "index.parquet"))
    _edit(copy, lambda df: df.assign(label=1))
    with pytest.raises(InputError, match=f"{n} index stays, all with label 1"):
        validate(copy)
