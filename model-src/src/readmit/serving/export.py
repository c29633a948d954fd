"""`readmit export`: the folder that a version's `storageUri` holds and Seldon's agent downloads.

    <out>/model-settings.json    MLServer settings: implementation, name, version, inputs/outputs and
                                 the runtime settings in parameters.extra
    <out>/model/                 the registered MLflow model (pyfunc with the pickled bundle)
    <out>/example-request.json   a valid V2 request for three stays

What Seldon Core 2's agent does with it (SeldonIO/seldon-core, scheduler/pkg/agent/repository/
model_repository.go `DownloadModelVersion` and mlserver/mlserver.go `updateNameAndVersion`): rclone
copies the storageUri, the folder holding model-settings.json is copied to
`/mnt/agent/models/<model>_<seldon version>/<seldon version>/`, and model-settings.json is re-written
through a Go struct that keeps only name, inputs, outputs, platform, versions, parallel_workers,
implementation and parameters{uri, version, format, content_type, extra, environment_tarball}; it sets
`name` and `parameters.version` to Seldon's own. So `uri` is relative ("./model", resolved by MLServer
against the settings file) and every setting of ours is in `parameters.extra`, including the registered
model name and version that the inference log records. The Server's `mlserver start /mnt/agent/models`
(MLSERVER_MODELS_DIR in Seldon's ServerConfig) then finds it.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import mlflow

from readmit import registry
from readmit.atomic import atomic_dir
from readmit.errors import CheckFailed, InputError
from readmit.pyfunc import unwrap
from readmit.serving import examples
from readmit.serving.contract import RuntimeConfig, metadata_tensors
from readmit.serving.v2 import request_body

IMPLEMENTATION = "readmit.serving.runtime.ReadmissionRuntime"
SETTINGS_FILE = "model-settings.json"
EXAMPLE_FILE = "example-request.json"
MODEL_DIR = "model"


def resolve(version: int | None, alias: str | None) -> int:
    if (version is None) == (alias is None):
        raise InputError("give exactly one of --version N or --alias NAME")
    if alias is not None:
        found = registry.alias_version(alias)
        if found is None:
            raise InputError(
                f"alias {alias!r} of model {registry.MODEL_NAME!r} is not set; "
                "use --version N or set the alias (readmit train sets 'candidate')"
            )
        return found
    return int(version)


def runtime_config(info: registry.VersionInfo, selected: str) -> RuntimeConfig:
    threshold = info.tags.get(registry.TAG_THRESHOLD)
    prevalence = info.metrics.get("val_prevalence")
    if threshold is None or prevalence is None or not math.isfinite(prevalence):
        raise InputError(
            f"version {info.version} lacks the `threshold` tag or the `val_prevalence` metric that "
            "define its risk bands; re-register it with `readmit train`"
        )
    high = float(threshold)
    return RuntimeConfig(
        registered_model=registry.MODEL_NAME,
        registered_version=str(info.version),
        thresholds={"medium": min(float(prevalence), high), "high": high},
        selected_model=selected,
        model_digest=info.model_digest,
        git_commit=info.git_commit,
        data_version=info.data_version,
    )


def settings(config: RuntimeConfig) -> dict:
    inputs, outputs = metadata_tensors()
    return {
        "name": config.registered_model,
        "implementation": IMPLEMENTATION,
        "inputs": inputs,
        "outputs": outputs,
        "parameters": {
            "uri": f"./{MODEL_DIR}",
            "version": config.registered_version,
            "extra": config.to_extra(),
        },
    }


def export(
    out: Path, version: int | None = None, alias: str | None = None, data_dir: Path | None = None
) -> dict:
    """Write the folder atomically; returns {"version", "out", "digest", "examples"}."""
    number = resolve(version, alias)
    info = registry.version_info(number)
    run_params = registry.client().get_run(info.run_id).data.params
    with atomic_dir(Path(out)) as tmp:
        mlflow.artifacts.download_artifacts(
            artifact_uri=f"models:/{registry.MODEL_NAME}/{number}", dst_path=str(tmp / MODEL_DIR)
        )
        digest = registry.model_digest(tmp / MODEL_DIR)
        if info.model_digest and digest != info.model_digest:
            raise CheckFailed(
                f"version {number}: downloaded model digest {digest} differs from the registered "
                f"{info.model_digest}; the artifact store was changed after registration"
            )
        bundle = unwrap(mlflow.pyfunc.load_model(str(tmp / MODEL_DIR)))
        config = runtime_config(info, bundle.selected)
        if data_dir is not None:
            rows = examples.from_data(
                data_dir,
                info.data_version,
                int(run_params.get("seed", 42)),
                run_params.get("split", "grouped"),
                config,
            )
            origin = "test split of the version's data"
        else:
            rows, origin = examples.made_up(), "made-up stays (no patient behind them)"
        (tmp / SETTINGS_FILE).write_text(json.dumps(settings(config), indent=2, sort_keys=True) + "\n")
        example = request_body(rows, {"explain": True}, request_id=f"example-{registry.MODEL_NAME}-{number}")
        (tmp / EXAMPLE_FILE).write_text(json.dumps(example, indent=2) + "\n")
    return {"version": number, "out": Path(out), "digest": digest, "examples": origin}
