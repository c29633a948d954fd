"""Where things live: the repo, its local state, and the read-only shared material beside it.

Every path that points outside the repo can be overridden by an environment variable, so the
same code runs from a fresh clone, in CI, and inside the container image.
"""

from __future__ import annotations

import os
from pathlib import Path

_PACKAGE_DIR = Path(__file__).resolve().parent


def repo_root() -> Path:
    """The monorepo root: READMIT_REPO, else the nearest parent holding `environments/` and `model-src/`."""
    if env := os.environ.get("READMIT_REPO"):
        return Path(env).resolve()
    for parent in [Path.cwd(), *Path.cwd().parents, *_PACKAGE_DIR.parents]:
        if (parent / "model-src").is_dir() and (parent / "environments").is_dir():
            return parent
    return Path.cwd()


def state_dir() -> Path:
    """Generated local state (MLflow sqlite, artifacts, demo output): READMIT_HOME or `<repo>/.readmit`."""
    return Path(os.environ.get("READMIT_HOME") or repo_root() / ".readmit")


# The inference log's sink (serving writes it, drift and monitoring read it, the merged-pod check makes sure
# the runtime may write there): a path fact, kept here so the manifest checks need not import serving.
INFERENCE_LOG_ENV = "READMIT_INFERENCE_LOG"


def inference_log(model: str) -> Path:
    """The inference log of `model`: READMIT_INFERENCE_LOG, else `<state_dir>/inference/<model>.jsonl`."""
    return Path(os.environ.get(INFERENCE_LOG_ENV) or state_dir() / "inference" / f"{model}.jsonl")


def shared_dir() -> Path:
    """The read-only `shared/` folder beside the repo: READMIT_SHARED overrides."""
    return Path(os.environ.get("READMIT_SHARED") or repo_root().parent / "shared")


def uci_dataset() -> Path:
    """The UCI Diabetes 130-US zip as distributed: READMIT_UCI_DATA overrides."""
    env = os.environ.get("READMIT_UCI_DATA")
    return Path(env) if env else shared_dir() / "data" / "uci-diabetes-130" / "dataset_diabetes.zip"


def synthea_sample() -> Path:
    """The 10-patient Synthea FHIR bulk export: READMIT_SYNTHEA_DATA overrides."""
    env = os.environ.get("READMIT_SYNTHEA_DATA")
    return Path(env) if env else shared_dir() / "data" / "synthea-bulk-fhir-10"


def crd_schemas() -> Path:
    """Strict JSON Schemas of the CRDs we deploy: READMIT_CRD_SCHEMAS overrides."""
    env = os.environ.get("READMIT_CRD_SCHEMAS")
    return Path(env) if env else shared_dir() / "crd-schemas"


def seldon_config() -> Path:
    """Seldon Core 2's installed ServerConfigs (`serverconfig-*.yaml`): READMIT_SELDON_CONFIG overrides."""
    env = os.environ.get("READMIT_SELDON_CONFIG")
    return Path(env) if env else shared_dir() / "seldon"
