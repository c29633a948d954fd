"""MLflow tracking and model-registry access: the one place that knows where MLflow lives and how
versions of the `readmission` model carry their provenance.

MLflow itself is imported inside the functions that talk to it: its import alone costs about a second,
and commands that read no registry (an audit with --no-registry, `readmit data`) must not pay for it.

Default: sqlite at `<state_dir>/mlflow.db` with artifacts in `<state_dir>/mlartifacts`;
`MLFLOW_TRACKING_URI` overrides (then the server decides where artifacts go).
"""

from __future__ import annotations

import atexit
import contextlib
import gc
import hashlib
import multiprocessing
import os
import sys
from collections.abc import Iterator
from concurrent.futures import Executor, ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from readmit.errors import InputError
from readmit.paths import state_dir

MODEL_NAME = "readmission"
EXPERIMENT_NAME = "readmission"
CANDIDATE_ALIAS = "candidate"
CHAMPION_ALIAS = "champion"

# Version tags: written at registration (training) and by `readmit gate`.
TAG_DATA_VERSION = "data_version"
TAG_GIT_COMMIT = "git_commit"
TAG_MODEL_DIGEST = "model_digest"
TAG_SELECTED_MODEL = "selected_model"
TAG_THRESHOLD = "threshold"


def gate_tag(env: str) -> str:
    return f"gate.{env}"


# mlflow.set_tracking_uri() exports MLFLOW_TRACKING_URI into os.environ; remember the value we derived
# from the state dir so that it is not mistaken for a user override (which would pin every later call,
# in this process and its children, to the first store and send artifacts of new stores to ./mlruns).
_DERIVED: set[str] = set()


def _user_tracking_uri() -> str | None:
    uri = os.environ.get("MLFLOW_TRACKING_URI")
    return uri if uri and uri not in _DERIVED else None


def tracking_uri() -> str:
    if uri := _user_tracking_uri():
        return uri
    path = state_dir()
    path.mkdir(parents=True, exist_ok=True)
    uri = f"sqlite:///{path / 'mlflow.db'}"
    _DERIVED.add(uri)
    return uri


def configure() -> None:
    """Point MLflow at our tracking store and make sure the experiment exists with local artifacts."""
    import mlflow

    uri = tracking_uri()
    mlflow.set_tracking_uri(uri)
    mlflow.set_registry_uri(uri)
    client = mlflow.MlflowClient()
    if client.get_experiment_by_name(EXPERIMENT_NAME) is None:
        artifact_location = None
        if uri.startswith("sqlite:///"):
            # A local store keeps its artifacts beside the database, never in ./mlruns of the cwd.
            db = Path(uri.removeprefix("sqlite:///"))
            artifact_location = (db.parent / "mlartifacts").resolve().as_uri()
        client.create_experiment(EXPERIMENT_NAME, artifact_location=artifact_location)
    mlflow.set_experiment(EXPERIMENT_NAME)


def client():
    import mlflow

    configure()
    return mlflow.MlflowClient()


@dataclass(frozen=True)
class VersionInfo:
    """What promotion, gates and audit need to know about one registered version."""

    version: int
    run_id: str
    source: str
    model_digest: str
    data_version: str
    git_commit: str
    metrics: dict[str, float] = field(default_factory=dict)
    tags: dict[str, str] = field(default_factory=dict)
    aliases: tuple[str, ...] = ()

    def gate_result(self, env: str) -> str | None:
        """ "passed", "failed", or None when the version was never gated for `env`."""
        return self.tags.get(gate_tag(env))


def version_info(version: int | str) -> VersionInfo:
    """Metadata of registered version `version`; raises InputError when it does not exist."""
    from mlflow.exceptions import MlflowException

    c = client()
    try:
        mv = c.get_model_version(MODEL_NAME, str(version))
    except MlflowException as exc:
        raise InputError(
            f"model {MODEL_NAME!r} version {version} not found in the registry at {tracking_uri()}; "
            f"{_list_versions_hint()} or train one with `readmit train`"
        ) from exc
    return _info(mv, metrics=dict(c.get_run(mv.run_id).data.metrics))


def _list_versions_hint() -> str:
    """MLflow's CLI has no command that lists registered versions (`mlflow models` serves models): its UI
    does, on the Models page."""
    uri = tracking_uri()
    if uri.startswith(("http://", "https://")):
        return f"see the registered versions at {uri.rstrip('/')}/#/models/{MODEL_NAME}"
    return f"see the registered versions with `mlflow ui --backend-store-uri {uri}` (Models > {MODEL_NAME})"


def all_versions() -> dict[int, VersionInfo]:
    """Every registered version's provenance (without run metrics), in pages of one search: a long
    history names thousands of versions, and a round trip each would dominate an audit."""
    c, known, token = client(), {}, None
    while True:
        page = c.search_model_versions(f"name='{MODEL_NAME}'", page_token=token)
        known.update((int(mv.version), _info(mv)) for mv in page)
        token = page.token
        if not token:
            return known


def snapshot() -> tuple[dict[int, VersionInfo], dict[str, int]]:
    """`all_versions()` and `aliases()` in one call: what the audit compares, read in a process of its own."""
    return all_versions(), aliases()


@dataclass(frozen=True)
class Facts:
    """What a promotion reads from the registry in one go: versions (with run metrics) and every alias."""

    versions: dict[int, VersionInfo]
    aliases: dict[str, int]


def facts(version: int | str, others: tuple[int, ...] = ()) -> Facts:
    """`version_info(version)` (InputError when it does not exist), every alias, and the info of each of
    `others` and of each alias's version that the registry holds."""
    first = version_info(version)
    now = aliases()
    found = {first.version: first}
    for v in sorted({*others, *now.values()} - {first.version}):
        try:
            found[v] = version_info(v)
        except InputError:
            continue
    return Facts(found, now)


@contextlib.contextmanager
def reader() -> Iterator[Executor]:
    """Where registry reads run while the caller does other work: a spawned process of their own (importing
    MLflow and opening its store cost seconds of CPU, which then overlap the caller's on another core;
    submit `configure` first to start that at once), or a thread when this process has MLflow loaded
    already (a test session, a long-lived caller), where a new process would only import it again."""
    if "mlflow" in sys.modules:
        with ThreadPoolExecutor(max_workers=1) as pool:
            yield pool
        return
    pool = ProcessPoolExecutor(
        max_workers=1, mp_context=multiprocessing.get_context("spawn"), initializer=_reader_process
    )
    try:
        yield pool
    finally:
        # Once the answers are in, the reader's own exit must not hold the caller up.
        pool.shutdown(wait=False, cancel_futures=True)


def _reader_process() -> None:
    """In the reader process, which only imports MLflow, asks a few questions and exits: no cycle collector
    (its passes over the objects of thousands of imported modules were ~a sixth of the reader's CPU, ~0.35
    s; what few cycles the queries leave die with the process), and, after the atexit hooks registered
    later (MLflow's, which run first), an end without tearing those modules down (over a CPU second)."""
    gc.disable()
    atexit.register(os._exit, 0)


def _info(mv, metrics: dict[str, float] | None = None) -> VersionInfo:
    tags = dict(mv.tags or {})
    return VersionInfo(
        version=int(mv.version),
        run_id=mv.run_id,
        source=mv.source or "",
        model_digest=tags.get(TAG_MODEL_DIGEST, ""),
        data_version=tags.get(TAG_DATA_VERSION, ""),
        git_commit=tags.get(TAG_GIT_COMMIT, ""),
        metrics=metrics or {},
        tags=tags,
        aliases=tuple(getattr(mv, "aliases", ()) or ()),
    )


def alias_version(alias: str) -> int | None:
    """The version that `alias` points at, or None when the alias is not set."""
    from mlflow.exceptions import MlflowException

    try:
        return int(client().get_model_version_by_alias(MODEL_NAME, alias).version)
    except MlflowException:
        return None


def set_alias(alias: str, version: int | str) -> None:
    client().set_registered_model_alias(MODEL_NAME, alias, str(version))


def delete_alias(alias: str) -> None:
    client().delete_registered_model_alias(MODEL_NAME, alias)


def aliases() -> dict[str, int]:
    """Every alias of MODEL_NAME and the version it points at ({} when the model is not registered)."""
    from mlflow.exceptions import MlflowException

    try:
        model = client().get_registered_model(MODEL_NAME)
    except MlflowException:
        return {}
    return {alias: int(version) for alias, version in (model.aliases or {}).items()}


def set_version_tags(version: int | str, tags: dict[str, str]) -> None:
    c = client()
    for key, value in tags.items():
        c.set_model_version_tag(MODEL_NAME, str(version), key, str(value))


# Written by MLflow's download client (it records which registered name/version was fetched), so it
# differs between a download by run, by logged-model id and by registered version: not model content.
DIGEST_EXCLUDES = ("registered_model_meta",)


def model_digest(directory) -> str:
    """sha256 over (relative path, content) of every file under `directory`, in sorted path order,
    except DIGEST_EXCLUDES at the top level: the same for every way of downloading one model."""
    root = Path(directory)
    digest = hashlib.sha256()
    files = [
        p for p in root.rglob("*") if p.is_file() and p.relative_to(root).as_posix() not in DIGEST_EXCLUDES
    ]
    for path in sorted(files, key=lambda p: p.relative_to(root).as_posix()):
        digest.update(path.relative_to(root).as_posix().encode() + b"\0")
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return f"sha256:{digest.hexdigest()}"


def register_candidate(model_uri: str, tags: dict[str, str]) -> int:
    """Register `model_uri` as a new version of MODEL_NAME with `tags`, alias it `candidate`, return it.

    Nothing in readmit moves `champion-<env>`: promotion changes models.yaml in git, which is what is
    live; an operator may set the alias to pin the baseline that `readmit gate` compares against.
    """
    import mlflow

    configure()
    mv = mlflow.register_model(model_uri, MODEL_NAME, tags={k: str(v) for k, v in tags.items()})
    set_alias(CANDIDATE_ALIAS, mv.version)
    return int(mv.version)


def load_model(version: int | str):
    """The pyfunc model of registered `version` (InputError when it does not exist)."""
    import mlflow

    version_info(version)
    return mlflow.pyfunc.load_model(f"models:/{MODEL_NAME}/{version}")
