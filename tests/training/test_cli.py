"""`readmit tune` and `readmit evaluate` end to end on small data, and one-line errors for bad input."""

import json

import pytest
from click.testing import CliRunner

from readmit.cli import cli
from training._frames import make_index, train_small, write_ingest


def test_missing_data_dir_exits_2_with_one_line_naming_the_file_and_the_fix(tmp_path, capsys):
    from readmit.cli import main

    with pytest.raises(SystemExit) as exit_info:
        main(["train", "--data", str(tmp_path)])
    assert exit_info.value.code == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "index.parquet: not found" in err[0] and "readmit data ingest" in err[0]


def test_single_class_split_exits_2(tmp_path, capsys):
    from readmit.cli import main

    df = make_index(60, seed=5)
    df["label"] = 0
    data = write_ingest(tmp_path / "ingest", df)
    with pytest.raises(SystemExit) as exit_info:
        main(["train", "--data", str(data)])
    assert exit_info.value.code == 2
    assert "index stays, all with label 0" in capsys.readouterr().err


def test_tune_runs_nested_trials_from_the_katib_file(tmp_path, repo_root, monkeypatch):
    import mlflow

    data = write_ingest(tmp_path / "ingest", make_index(150, seed=31))
    monkeypatch.delenv("MLFLOW_TRACKING_URI", raising=False)
    monkeypatch.setenv("READMIT_HOME", str(tmp_path / "state"))
    result = CliRunner().invoke(
        cli,
        [
            "tune",
            "--experiment",
            str(repo_root / "apps/katib/readmission-tuning.yaml"),
            "--data",
            str(data),
            "--max-trials",
            "2",
            "--out",
            str(tmp_path / "best.json"),
        ],
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.output
    best = json.loads((tmp_path / "best.json").read_text())
    assert {"learning_rate", "num_leaves", "hidden", "lr"} <= set(best) and "epochs" not in best
    from readmit import registry

    registry.configure()
    runs = mlflow.search_runs(experiment_names=[registry.EXPERIMENT_NAME], output_format="list")
    parents = [r for r in runs if r.info.run_name == "tune"]
    children = [r for r in runs if r.data.tags.get("mlflow.parentRunId") == parents[0].info.run_id]
    assert len(parents) == 1 and len(children) == 2
    assert all("val_roc_auc" in r.data.metrics for r in children)


def test_tune_lgbm_part_keeps_its_study_and_resumes_only_the_missing_trials(tmp_path, repo_root, monkeypatch):
    import optuna

    data = write_ingest(tmp_path / "ingest", make_index(150, seed=31))
    monkeypatch.delenv("MLFLOW_TRACKING_URI", raising=False)
    monkeypatch.setenv("READMIT_HOME", str(tmp_path / "state"))
    storage = tmp_path / "study.db"

    def run(trials: int):
        args = ["tune", "--experiment", str(repo_root / "apps/katib/readmission-tuning.yaml")]
        args += ["--data", str(data), "--part", "lgbm", "--subsample", "0", "--threads", "1"]
        args += ["--storage", str(storage), "--max-trials", str(trials), "--out", str(tmp_path / "best.json")]
        result = CliRunner().invoke(cli, args, catch_exceptions=False)
        assert result.exit_code == 0, result.output
        return result.output

    first = run(2)
    assert "trial 0:" in first and "trial 1:" in first
    second = run(3)
    assert "resuming study" in second and "trial 2:" in second and "trial 0:" not in second
    (summary,) = optuna.study.get_all_study_summaries(f"sqlite:///{storage}")
    assert summary.n_trials == 3
    best = json.loads((tmp_path / "best.json").read_text())
    assert {"learning_rate", "num_leaves", "bagging_fraction"} <= set(best)
    assert not {"hidden", "lr", "epochs"} & set(best)


def test_evaluate_rescored_registered_version_on_other_data(tmp_path_factory, tmp_path, monkeypatch):
    trained = train_small(tmp_path_factory.getbasetemp() / "small-model")
    assert trained["exit_code"] == 0
    monkeypatch.delenv("MLFLOW_TRACKING_URI", raising=False)
    monkeypatch.setenv("READMIT_HOME", str(trained["home"]))
    other = write_ingest(tmp_path / "other", make_index(120, seed=77))
    result = CliRunner().invoke(
        cli,
        ["evaluate", "--version", "1", "--data", str(other), "--out", str(tmp_path / "ev")],
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.output
    doc = json.loads((tmp_path / "ev" / "metrics.json").read_text())
    assert doc["version"] == 1 and 0.5 < doc["metrics"]["eval_roc_auc"] <= 1.0
    assert "eval_roc_auc=" in result.stdout


def test_train_reports_progress_on_stderr_and_keeps_stdout_for_katib(tmp_path_factory):
    trained = train_small(tmp_path_factory.getbasetemp() / "small-model")
    assert trained["exit_code"] == 0
    stages = [line for line in trained["stderr"].splitlines() if line.startswith("train: [")]
    for expected in (
        "index rows; grouped split train",
        "companion: LightGBM on the temporal split",
        "features built",
        "LightGBM fitted",
        "sequence model fitted",
        "evaluating validation and test",
        "logging to MLflow and registering",
    ):
        assert any(expected in line for line in stages), expected
    assert trained["stdout"].splitlines()[0].startswith("val_roc_auc=")
    assert "train: [" not in trained["stdout"]


def test_empty_training_set_exits_2_with_the_count(tmp_path, capsys):
    from readmit.cli import main

    data = write_ingest(tmp_path / "ingest", make_index(60, seed=5).iloc[0:0])
    with pytest.raises(SystemExit) as exit_info:
        main(["train", "--data", str(data), "--no-register"])
    assert exit_info.value.code == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "0 index stays" in err[0]
