"""Real registered versions of `readmission` in a throw-away MLflow (sqlite under a tmp dir), for the
gate, promote and audit tests: a tiny pyfunc model, the training engineer's tags and test_* metrics."""

from __future__ import annotations

import atexit
import hashlib
import shutil
import tempfile
from pathlib import Path

import mlflow
import mlflow.pyfunc
import pytest

from readmit import registry

GOOD = {
    "roc_auc": 0.68,
    "auprc": 0.22,
    "brier": 0.095,
    "ece": 0.012,
    "calibration_slope": 1.02,
    "calibration_intercept": 0.01,
    "subgroup_auc_gap": 0.05,
    "subgroup_auc_gap_ci_low": 0.02,
    "subgroup_auc_gap_ci_high": 0.08,
    "subgroup_attributes_compared": 3,
    "roc_auc_ci_low": 0.66,
}


class Constant(mlflow.pyfunc.PythonModel):
    def predict(self, context, model_input, params=None):
        return [0.1] * len(model_input)


_TEMPLATE: dict[str, str] = {}


def _template() -> tuple[Path, str]:
    """Once per process: a migrated store with one logged pyfunc (creating the tables takes ~10 s)."""
    if not _TEMPLATE:
        root = Path(tempfile.mkdtemp(prefix="readmit-mlflow-template-"))
        atexit.register(shutil.rmtree, root, True)
        with pytest.MonkeyPatch.context() as mp:
            mp.setenv("MLFLOW_TRACKING_URI", f"sqlite:///{root / 'mlflow.db'}")
            mp.setenv("READMIT_HOME", str(root))
            registry.configure()
            with mlflow.start_run():
                uri = mlflow.pyfunc.log_model(
                    name="model", python_model=Constant(), pip_requirements=["mlflow"]
                ).model_uri
        _TEMPLATE.update(root=str(root), model=uri)
    return Path(_TEMPLATE["root"]), _TEMPLATE["model"]


def _restore_mlflow_globals_after(monkeypatch) -> None:
    """registry.configure() sets MLflow's process-wide URIs and experiment, which outrank the env var:
    put them back after the test so other suites never write into this test's store."""
    import mlflow.tracking._model_registry.utils as registry_utils
    import mlflow.tracking._tracking_service.utils as tracking_utils
    from mlflow.tracking import fluent

    monkeypatch.setattr(tracking_utils, "_tracking_uri", tracking_utils._tracking_uri)
    monkeypatch.setattr(registry_utils, "_registry_uri", registry_utils._registry_uri)
    monkeypatch.setattr(fluent, "_active_experiment_id", fluent._active_experiment_id)


def use_tmp_mlflow(monkeypatch, tmp_path) -> str:
    """Point readmit.registry at a fresh copy of the template store under tmp_path; returns the model uri
    to pass to `register` (the template's pyfunc, logged once)."""
    _restore_mlflow_globals_after(monkeypatch)
    root, model = _template()
    shutil.copy(root / "mlflow.db", tmp_path / "mlflow.db")
    monkeypatch.setenv("MLFLOW_TRACKING_URI", f"sqlite:///{tmp_path / 'mlflow.db'}")
    monkeypatch.setenv("READMIT_HOME", str(tmp_path / "state"))
    registry.configure()
    return model


def register(model_source: str, **metric_changes: float) -> int:
    """A new version of the pyfunc at `model_source` with its own run, test_* metrics (GOOD with changes)
    and provenance tags."""
    registry.configure()
    metrics = {f"test_{k}": v for k, v in {**GOOD, **metric_changes}.items()}
    with mlflow.start_run() as run:
        mlflow.log_metrics(metrics)
    client = registry.client()
    if not client.search_registered_models(f"name='{registry.MODEL_NAME}'"):
        client.create_registered_model(registry.MODEL_NAME)
    mv = client.create_model_version(registry.MODEL_NAME, model_source, run_id=run.info.run_id)
    digest = "sha256:" + hashlib.sha256(f"model-{mv.version}".encode()).hexdigest()
    registry.set_version_tags(
        mv.version,
        {
            registry.TAG_MODEL_DIGEST: digest,
            registry.TAG_DATA_VERSION: "sha256:" + hashlib.sha256(b"data").hexdigest(),
            registry.TAG_GIT_COMMIT: "0" * 40,
            registry.TAG_SELECTED_MODEL: "lightgbm",
            registry.TAG_THRESHOLD: "0.12",
        },
    )
    registry.set_alias(registry.CANDIDATE_ALIAS, mv.version)
    return int(mv.version)


def gated(model_source: str, envs: tuple[str, ...] = ("dev",), **metric_changes: float) -> int:
    """A new version (as `register`) whose gates passed in `envs`, so it may be promoted there."""
    version = register(model_source, **metric_changes)
    registry.set_version_tags(version, {f"gate.{e}": "passed" for e in envs})
    return version
