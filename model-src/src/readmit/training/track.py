"""Log a finished training run to MLflow and register its pyfunc model as the new `candidate`."""

from __future__ import annotations

import math
import os
import tempfile
import warnings
from pathlib import Path

from readmit import git, registry
from readmit.paths import repo_root
from readmit.pyfunc import BUNDLE_ARTIFACT, ReadmissionModel, save_bundle

PIP_REQUIREMENTS = ["readmit"]  # the image installs readmit with its pinned constraints


def git_commit() -> str:
    """The checkout's HEAD, or "unknown" outside a git checkout (an image built from an sdist)."""
    try:
        return git.run(repo_root(), "rev-parse", "HEAD").strip()
    except git.GitError:
        return "unknown"


def log_and_register(
    bundle, doc: dict, params: dict, outputs: Path, example, data_version: str, register: bool = True
) -> tuple[str, int | None]:
    """(run_id, registered version or None). Metrics are the flat keys of metrics.json."""
    import mlflow
    from mlflow.models import infer_signature

    os.environ.setdefault("MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR", "false")  # keeps stdout parseable
    registry.configure()
    commit = git_commit()
    with warnings.catch_warnings(), mlflow.start_run(nested=mlflow.active_run() is not None) as run:
        mlflow.log_params({k: str(v) for k, v in params.items()})
        mlflow.log_metrics({k: v for k, v in doc["metrics"].items() if math.isfinite(v)})
        mlflow.set_tags(
            {
                registry.TAG_DATA_VERSION: data_version,
                registry.TAG_GIT_COMMIT: commit,
                registry.TAG_SELECTED_MODEL: bundle.selected,
                registry.TAG_THRESHOLD: repr(bundle.threshold),
            }
        )
        mlflow.log_artifacts(str(outputs))
        # MLflow nags about type hints and input examples: rows are de-identified but stay out of artifacts
        warnings.simplefilter("ignore", UserWarning)
        with tempfile.TemporaryDirectory() as tmp:
            save_bundle(bundle, Path(tmp) / "bundle.pkl")
            signature = infer_signature(example, ReadmissionModel._score(bundle, example))
            info = mlflow.pyfunc.log_model(
                name="model",
                python_model=ReadmissionModel(),
                artifacts={BUNDLE_ARTIFACT: str(Path(tmp) / "bundle.pkl")},
                pip_requirements=PIP_REQUIREMENTS,
                signature=signature,
            )
        if not register:
            return run.info.run_id, None
        with tempfile.TemporaryDirectory() as tmp:
            local = mlflow.artifacts.download_artifacts(artifact_uri=info.model_uri, dst_path=tmp)
            digest = registry.model_digest(local)
        version = registry.register_candidate(
            info.model_uri,
            {
                registry.TAG_DATA_VERSION: data_version,
                registry.TAG_GIT_COMMIT: commit,
                registry.TAG_MODEL_DIGEST: digest,
                registry.TAG_SELECTED_MODEL: bundle.selected,
                registry.TAG_THRESHOLD: repr(bundle.threshold),
            },
        )
        return run.info.run_id, version
