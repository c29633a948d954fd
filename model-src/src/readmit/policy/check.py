"""`readmit policy check`: render overlays (or read files), evaluate every policy, one line per violation.

Facts a single render cannot show come in `input.context`: the environment, which versions ran alone at
100% per environment (from git history) and, when asked, each live version's registry metadata.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from readmit import paths as readmit_paths
from readmit.errors import InputError
from readmit.policy import documents, engine

GATE_POLICY = "model-gates"  # evaluated by `readmit gate` on metrics, not on manifests


def check(
    envs: list[str] | None = None,
    paths: list[Path] | None = None,
    repo: Path | None = None,
    registry: bool = True,
    ran_full: dict[str, list[str]] | None = None,
) -> list[str]:
    """Problem lines `policy: Kind/name: message (where)`; empty when everything passes."""
    repo = Path(repo or readmit_paths.repo_root())
    if not envs and not paths:
        envs = sorted(p.parent.name for p in (repo / "environments").glob("*/kustomization.yaml"))
        # Argo CD objects, CI pipelines, and bases no overlay renders (Katib tuning).
        paths = [repo / d for d in ("clusters", "tekton", "apps/katib") if any((repo / d).rglob("*.yaml"))]
    if ran_full is None:
        from readmit.audit.history import ran_full_at

        ran_full = ran_full_at(repo)
    targets = [(f"environments/{e}", _env_input(repo, e, ran_full, registry)) for e in envs or []]
    targets += [
        (str(p), documents.from_objects(load_objects(Path(p)), {"ran_full": ran_full})) for p in paths or []
    ]
    return evaluate(targets, repo)


def check_rendered(
    env: str, objects: list[dict], repo: Path, ran_full: dict[str, list[str]], registry: bool = True
) -> list[str]:
    """Like check(envs=[env]) for objects the caller already rendered."""
    context = {"env": env, "ran_full": ran_full}
    if registry:
        context["registry"] = registry_context(objects)
    return evaluate([(f"environments/{env}", documents.from_objects(objects, context))], repo)


def evaluate(targets: list[tuple[str, dict]], repo: Path) -> list[str]:
    """Every manifest policy on every (where, input document), each evaluation in its own subprocess."""
    policies = [p for p in engine.discover(repo) if p.name != GATE_POLICY]
    jobs = [(p, where, doc) for p in policies for where, doc in targets]
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(lambda job: engine.evaluate(job[0], job[2]), jobs))
    return [
        f"{p.name}: {m} ({where})" for (p, where, _), msgs in zip(jobs, results, strict=True) for m in msgs
    ]


def _env_input(repo: Path, env: str, ran_full: dict, registry: bool) -> dict:
    from readmit.manifests.render import render

    overlay = repo / "environments" / env
    if not (overlay / "kustomization.yaml").is_file():
        raise InputError(f"{overlay}: no kustomization.yaml; choose an env under {repo / 'environments'}")
    objects = render(overlay)
    context = {"env": env, "ran_full": ran_full}
    if registry:
        context["registry"] = registry_context(objects)
    return documents.from_objects(objects, context)


def registry_context(objects: list[dict]) -> dict[str, dict]:
    """Registry metadata of every live Model's version; versions the registry lacks are left out."""
    from readmit import registry

    versions = {
        ((o.get("metadata") or {}).get("annotations") or {}).get("readmit.io/model-version")
        or o["metadata"]["name"].removeprefix("readmission-v")
        for o in objects
        if o.get("kind") == "Model"
    }
    out = {}
    for v in sorted(versions):
        try:
            info = registry.version_info(v)
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
        from readmit.manifests.render import render

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
