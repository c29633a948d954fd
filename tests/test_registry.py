"""Training registers version N of `readmission` with the provenance promotion and gates rely on."""

import tempfile

import pytest

from training._frames import train_small, using_store

CONTRACT = (
    [
        f"{s}_{m}"
        for s in ("val", "test")
        for m in (
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
            "subgroup_auc_gap",
            "subgroup_auc_gap_ci_low",
            "subgroup_auc_gap_ci_high",
        )
    ]
    + ["lace_test_roc_auc", "lace_test_auprc"]
    + [f"{c}_{s}_roc_auc" for c in ("lgbm", "sequence", "hybrid") for s in ("val", "test")]
)


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    result = train_small(tmp_path_factory.getbasetemp() / "small-model")
    assert result["exit_code"] == 0, result["stdout"]
    with using_store(result["home"]):
        yield result


def test_train_prints_the_katib_metric_line_and_the_new_version(trained):
    lines = trained["stdout"].splitlines()
    assert any(line.startswith("val_roc_auc=") and float(line.split("=")[1]) > 0.5 for line in lines)
    assert "version=1 alias=candidate" in trained["stdout"]


def test_version_info_carries_tags_metrics_and_only_the_candidate_alias(trained):
    from readmit import registry

    info = registry.version_info(1)
    assert info.aliases == ("candidate",)
    assert registry.alias_version("champion") is None
    assert info.data_version == "sha256:" + "ab" * 32
    assert info.model_digest.startswith("sha256:") and len(info.model_digest) == 71
    assert len(info.git_commit) in (40, 7) or info.git_commit == "unknown"
    assert info.tags["selected_model"] in ("lgbm", "sequence", "hybrid")
    assert 0 < float(info.tags["threshold"]) < 1
    missing = [k for k in CONTRACT if k not in info.metrics]
    assert not missing


def test_model_digest_matches_the_logged_model_files(trained):
    import mlflow

    from readmit import registry

    info = registry.version_info(1)
    with tempfile.TemporaryDirectory() as tmp:
        local = mlflow.artifacts.download_artifacts(artifact_uri="models:/readmission/1", dst_path=tmp)
        assert registry.model_digest(local) == info.model_digest


def test_unknown_version_is_an_input_error(trained):
    from readmit import registry
    from readmit.errors import InputError

    with pytest.raises(InputError, match="version 99 not found"):
        registry.version_info(99)


def test_out_dir_holds_metrics_plots_and_card(trained):
    import json

    out = trained["out"]
    doc = json.loads((out / "metrics.json").read_text())
    assert set(CONTRACT) <= set(doc["metrics"])
    assert {"subgroups", "lace", "models", "selected", "threshold", "threshold_target"} <= set(doc)
    for plot in ("roc", "pr", "calibration", "shap_lgbm"):
        assert (out / "plots" / f"{plot}.png").read_bytes()[:4] == b"\x89PNG"
    assert "## Intended use" in (out / "MODEL_CARD.md").read_text()


def test_store_follows_readmit_home_even_after_mlflow_exported_the_first_uri(tmp_path, monkeypatch):
    import mlflow

    from readmit import registry

    monkeypatch.delenv("MLFLOW_TRACKING_URI", raising=False)
    monkeypatch.delenv("MLFLOW_REGISTRY_URI", raising=False)
    monkeypatch.setenv("READMIT_HOME", str(tmp_path / "a"))
    registry.configure()  # mlflow exports MLFLOW_TRACKING_URI=<a> here
    monkeypatch.setenv("READMIT_HOME", str(tmp_path / "b"))
    assert registry.tracking_uri() == f"sqlite:///{tmp_path / 'b' / 'mlflow.db'}"
    registry.configure()
    location = mlflow.get_experiment_by_name(registry.EXPERIMENT_NAME).artifact_location
    assert location == (tmp_path / "b" / "mlartifacts").resolve().as_uri()


def test_an_explicit_sqlite_store_keeps_artifacts_beside_its_database(tmp_path, monkeypatch):
    import mlflow

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("MLFLOW_TRACKING_URI", f"sqlite:///{tmp_path / 'store' / 'mlflow.db'}")
    (tmp_path / "store").mkdir()
    from readmit import registry

    registry.configure()
    location = mlflow.MlflowClient().get_experiment_by_name(registry.EXPERIMENT_NAME).artifact_location
    assert location == (tmp_path / "store" / "mlartifacts").resolve().as_uri()
    assert not (tmp_path / "mlruns").exists()


def test_not_found_hint_names_a_command_that_exists(tmp_path, monkeypatch):
    # `mlflow models` serves and builds models; it lists nothing. The hint must be something that works.
    from readmit import registry
    from readmit.errors import InputError

    monkeypatch.delenv("MLFLOW_TRACKING_URI", raising=False)
    monkeypatch.setenv("READMIT_HOME", str(tmp_path))
    with pytest.raises(InputError) as err:
        registry.version_info(7)
    message = str(err.value)
    assert "mlflow models" not in message
    assert f"mlflow ui --backend-store-uri sqlite:///{tmp_path / 'mlflow.db'}" in message
    assert "readmit train" in message
