"""`readmit serve --env ENV`: render environments/ENV, export every Model's version, load them all into ONE
MLServer (laid out as Seldon's agent lays them out: `<model>_1/1/`), and serve the router (and, with
`cds`, the CDS Hooks service) on 127.0.0.1 until Ctrl-C or SIGTERM; then stop MLServer and its workers."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

from readmit.errors import InputError
from readmit.manifests.render import render
from readmit.paths import repo_root, state_dir
from readmit.serving import server
from readmit.serving.export import EXAMPLE_FILE, export
from readmit.traffic import cds, process, router
from readmit.traffic.experiment import MODEL_HEADER, SELDON_VERSION, Table, table


def overlay(env: str) -> Path:
    path = repo_root() / "environments" / env
    if not (path / "kustomization.yaml").is_file():
        raise InputError(f"--env {env}: {path} has no kustomization.yaml; pass an environment folder's name")
    return path


def load_table(env: str) -> Table:
    found = table(render(overlay(env)))
    if not found.models:
        raise InputError(f"--env {env}: no Model in the overlay; promote a version first (readmit promote)")
    return found


def exported(version: int) -> Path:
    """The version's export in the serve cache (written once per version, atomically)."""
    out = state_dir() / "serve" / str(version) / "export"
    if not (out / "model-settings.json").is_file():
        export(out, version=version)
    return out


def lay_out(routes: Table, models_root: Path, export_of: Callable[[int], Path] = exported) -> list[str]:
    """Every Model of the table in the agent's layout under `models_root`; returns the served names."""
    if models_root.exists():
        shutil.rmtree(models_root)  # only this overlay's models: nothing stale is served
    names = []
    for target in routes.models.values():
        names.append(
            server.agent_layout(
                export_of(target.registered_version), models_root, target.model, seldon_version=SELDON_VERSION
            )
        )
    return names


def describe(routes: Table) -> list[str]:
    if routes.experiment is None:
        return [f"no Experiment: each Model answers on its own {MODEL_HEADER} header"]
    total = sum(c.weight for c in routes.candidates)
    split = ", ".join(f"{c.served} {100 * c.weight / total:.0f}%" for c in routes.candidates)
    lines = [f"Experiment {routes.experiment}: {split} (default {routes.default})"]
    if routes.mirror:
        lines.append(f"mirror: {routes.mirror.served} gets {routes.mirror_percent}% (answers not returned)")
    return lines


def serve(env: str, port: int, workers: int, with_cds: bool, echo) -> int:
    routes = load_table(env)
    cache = state_dir() / "serve" / f"env-{env}"
    names = lay_out(routes, cache / "models")
    mlserver_port, metrics_port = server.free_port(), server.free_port()
    upstream_url = f"http://127.0.0.1:{mlserver_port}"
    with server.running(
        cache / "models", mlserver_port, workers, metrics_port, echo, "router and MLServer"
    ) as proc:
        for name in names:
            server.wait_ready(upstream_url, name, proc)
        upstream = router.Upstream(routes, upstream_url)
        seldon_model = f"{routes.experiment}.experiment" if routes.experiment else routes.default
        extra = cds.routes(upstream, seldon_model) if with_cds else []
        base = f"http://127.0.0.1:{port}"
        echo(f"MLServer at {upstream_url} serves {', '.join(names)}; metrics on port {metrics_port}")
        for line in describe(routes):
            echo(line)
        example = exported(next(iter(routes.models.values())).registered_version) / EXAMPLE_FILE
        header = f"{routes.experiment}.experiment" if routes.experiment else next(iter(routes.models))
        echo(
            f"curl -si -X POST {base}/v2/models/readmission/infer -H 'Content-Type: application/json' "
            f"-H '{MODEL_HEADER}: {header}' -d @{example}"
        )
        if with_cds:
            echo(f"CDS Hooks discovery: {base}/cds-services")
        process.run(router.app(upstream, extra), "127.0.0.1", port, echo, "press Ctrl-C to stop")
        return 0
    return 0  # stopped by Ctrl-C or SIGTERM
