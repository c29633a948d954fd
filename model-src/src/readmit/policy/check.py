"""`readmit policy check`: render overlays (or read files), evaluate every policy, one line per violation.

Facts a single render cannot show come in `input.context`: the environment, which versions ran alone at
100% per environment (from git history) and, when asked, each live version's registry metadata.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from readmit import paths as readmit_paths
from readmit import registry as model_registry
from readmit.envs import history, order, provenance
from readmit.errors import InputError
from readmit.manifests.render import render
from readmit.policy import documents, engine

GATE_POLICY = "model-gates"  # evaluated by `readmit gate` on metrics, not on manifests


def check(
    envs: list[str] | None = None,
    paths: list[Path] | None = None,
    repo: Path | None = None,
    registry: bool = True,
    ran_full: dict[str, list[str]] | None = None,
) -> list[str]:
    """Problem lines `policy: Kind/name: message (where)`; empty when everything passes. `envs` None and no
    `paths`: every environment of the repo plus the trees no overlay renders."""
    repo = Path(repo or readmit_paths.repo_root())
    if not envs and not paths:
        envs = order.names(repo)
        # Argo CD objects, CI pipelines, and bases no overlay renders (Katib tuning).
        paths = [repo / d for d in ("clusters", "tekton", "apps/katib") if any((repo / d).rglob("*.yaml"))]
    if ran_full is None:
        ran_full = history.ran_full_at(repo)
    facts = documents.context(order.names_if_any(repo), ran_full)
    jobs = [(f"environments/{e}", lambda e=e: _env_input(repo, e, ran_full, registry)) for e in envs or []]
    jobs += [(str(p), lambda p=p: documents.from_objects(load_objects(Path(p)), facts)) for p in paths or []]
    # Each overlay is a `kubectl kustomize` process: render them side by side.
    with ThreadPoolExecutor(max_workers=4) as pool:
        inputs = list(pool.map(lambda job: job[1](), jobs))
    return evaluate([(where, doc) for (where, _), doc in zip(jobs, inputs, strict=True)], repo)


def check_rendered(
    env: str,
    objects: list[dict],
    repo: Path,
    ran_full: dict[str, list[str]],
    registry: bool = True,
    versions: dict[int, model_registry.VersionInfo] | None = None,
    engines: engine.Engines | None = None,
) -> list[str]:
    """Like check(envs=[env]) for objects the caller already rendered; `versions`: the registry's info on
    every version the objects name, when the caller read it already; `engines`: engine processes the
    caller started already (for `manifest_policies(repo)`)."""
    context = documents.context(order.names(repo), ran_full, env)
    if registry:
        context["registry"] = registry_context(objects, versions)
    return evaluate([(f"environments/{env}", documents.from_objects(objects, context))], repo, engines)


def manifest_policies(repo: Path) -> list[engine.Policy]:
    """The policies evaluated on manifests: all but the gate policy."""
    return [p for p in engine.discover(repo) if p.name != GATE_POLICY]


def evaluate(targets: list[tuple[str, dict]], repo: Path, engines: engine.Engines | None = None) -> list[str]:
    """Every manifest policy on every (where, input document), a fresh interpreter per document, in one
    engine subprocess per core (starting the engine costs more than evaluating a document)."""
    policies = manifest_policies(repo)
    inputs = [doc for _, doc in targets]
    if engines is not None:
        results = engines.evaluate_all(policies, inputs)
    else:
        results = engine.evaluate_all(policies, inputs)
    return [
        f"{policy.name}: {m} ({where})"
        for policy, per_target in zip(policies, results, strict=True)
        for (where, _), messages in zip(targets, per_target, strict=True)
        for m in messages
    ]


def _env_input(repo: Path, env: str, ran_full: dict, registry: bool) -> dict:
    overlay = repo / "environments" / env
    if not (overlay / "kustomization.yaml").is_file():
        raise InputError(f"{overlay}: no kustomization.yaml; choose an env under {repo / 'environments'}")
    objects = render(overlay)
    context = documents.context(order.names(repo), ran_full, env)
    if registry:
        context["registry"] = registry_context(objects)
    return documents.from_objects(objects, context)


def registry_context(
    objects: list[dict], known: dict[int, model_registry.VersionInfo] | None = None
) -> dict[str, dict]:
    """Registry metadata of every live Model's version; versions the registry lacks are left out. `known`:
    what the registry holds of these versions, read by the caller (None: ask the registry here)."""
    versions = {
        ((o.get("metadata") or {}).get("annotations") or {}).get(provenance.ANNOTATION["version"])
        or o["metadata"]["name"].removeprefix("readmission-v")
        for o in objects
        if o.get("kind") == "Model"
    }
    out = {}
    for v in sorted(versions):
        if known is not None:
            info = known.get(int(v)) if str(v).isdigit() else None
            if info is None:
                continue
        else:
            try:
                info = model_registry.version_info(v)
            except InputError:
                continue
        out[v] = {"run_id": info.run_id, "model_digest": info.model_digest, "data_version": info.data_version}
    return out


def load_objects(path: Path) -> list[dict]:
    """A kustomization directory is rendered; another directory contributes its *.yaml files;
    a file itself."""
    if not path.exists():
        raise InputError(f"{path}: no such file or directory")
    if path.is_dir() and (path / "kustomization.yaml").is_file():
        return render(path)
    files = sorted(path.rglob("*.yaml")) if path.is_dir() else [path]
    if not files:
        raise InputError(f"{path}: no *.yaml file in it, so no Kubernetes object to check; pass manifests")
    objects: list[dict] = []
    for f in files:
        if f.name == "kustomization.yaml":
            continue
        objects += documents.objects(f)
    return objects
