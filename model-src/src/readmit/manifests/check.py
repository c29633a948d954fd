"""`readmit manifests check`: render, validate, apply the container rules and scan, returning one line per
problem (`<file>: <kind>/<name>: <field path>: <message>`); an empty list means clean.

By default it checks the overlays of the chosen environments, every base under apps/ on its own (the
Katib Experiment is not part of an overlay), and the plain manifests in clusters/ and tekton/, and scans
model-src/Dockerfile. Identical lines (a base problem seen again through each overlay) are reported once.
"""

from __future__ import annotations

import contextlib
import json
from dataclasses import dataclass, field
from pathlib import Path

from readmit import envs as environments
from readmit import paths as repo_paths
from readmit.errors import InputError
from readmit.manifests import render as rnd
from readmit.manifests.containers import container_problems
from readmit.manifests.problems import Source, line
from readmit.manifests.servers import load_server_configs, merged, server_problems
from readmit.manifests.trivy import Scan, ScanInput, scan_input
from readmit.manifests.trivy import start as start_trivy
from readmit.manifests.validate import validate
from readmit.manifests.yamlfile import NotManifest, objects_of

PLAIN_TREES = ("clusters", "tekton")
DOCKERFILE = Path("model-src/Dockerfile")


@dataclass
class Report:
    problems: list[str] = field(default_factory=list)
    # One line per Seldon Server checked as the pod it becomes (see servers.py).
    merged_pods: list[str] = field(default_factory=list)


def check(
    envs: list[str] | None = None,
    paths: list[Path] | None = None,
    repo: Path | None = None,
    trivy: bool = True,
    early: Scan | None = None,
) -> list[str]:
    return check_report(envs, paths, repo, trivy, early).problems


def check_report(
    envs: list[str] | None = None,
    paths: list[Path] | None = None,
    repo: Path | None = None,
    trivy: bool = True,
    early: Scan | None = None,
) -> Report:
    """`early`: a trivy scan already started (`trivy_input`) on what these targets were expected to give;
    its findings are used if its input is exactly what trivy is given now, else trivy starts again."""
    repo = Path(repo or repo_paths.repo_root()).resolve()
    rnd.kubectl()
    crd_dir = repo_paths.crd_schemas()
    if not crd_dir.is_dir():
        raise InputError(
            f"{crd_dir}: CRD schema folder not found; set READMIT_CRD_SCHEMAS to the crd-schemas folder"
        )
    if paths:
        # Explicit PATHs are checked alone, plus the overlays of any environment named as well.
        targets = [Path(p) for p in paths] + [repo / "environments" / e for e in _known(envs or [], repo)]
        for target in map(Path, paths):
            if target.exists() and not any(_walk(target)):
                raise NotManifest(
                    f"{target}: no overlay, *.yaml/*.yml file or Dockerfile in it, so nothing to check; "
                    "pass an overlay, a folder of manifests or a YAML file"
                )
    else:
        targets = default_targets(repo, envs)
    objects, dockerfiles, problems = collect(targets, repo)
    with contextlib.ExitStack() as stack:
        # trivy starts first (its fixed start-up is most of a check's time) and is collected last.
        scanning = None
        if trivy and (objects or dockerfiles):
            given = scan_input(distinct_objects(objects), dockerfiles)
            reuse = early is not None and early.input == given
            scanning = early if reuse else stack.enter_context(start_trivy(given))
        configs = _server_configs(objects, crd_dir)
        pods: list[str] = []
        for source, obj in objects:
            schema = validate(obj, crd_dir)
            problems += [line(source, f, m) for f, m in schema]
            if isinstance(obj, dict) and obj.get("kind") == "Server":
                if not schema:  # merging is only meaningful (and safe) for a Server its schema accepts
                    problems += [line(source, f, m) for f, m in server_problems(obj, configs)]
                    pods.append(_describe_pod(source, obj, configs))
            else:
                problems += [line(source, f, m) for f, m in container_problems(obj)]
        if scanning is not None:
            problems += scanning.result()
    return Report(list(dict.fromkeys(problems)), list(dict.fromkeys(pods)))


def _server_configs(objects: list[tuple[Source, dict]], crd_dir: Path) -> dict[str, dict]:
    """Seldon's installed ServerConfigs, and any rendered beside the Servers that their schema accepts
    (those win)."""
    servers = [o for _, o in objects if isinstance(o, dict) and o.get("kind") == "Server"]
    if not servers:
        return {}
    configs = load_server_configs(repo_paths.seldon_config())
    rendered = [
        o
        for _, o in objects
        if isinstance(o, dict) and o.get("kind") == "ServerConfig" and not validate(o, crd_dir)
    ]
    return {**configs, **{o["metadata"]["name"]: o for o in rendered}}


def _describe_pod(source: Source, server: dict, configs: dict[str, dict]) -> str:
    found = merged(server, configs)
    if found is None:
        return f"{source.file}: Server/{source.name}: no ServerConfig to merge onto"
    name, pod = found
    containers = ", ".join(str(c.get("name")) for c in pod.get("containers") or [])
    namespace = (server.get("metadata") or {}).get("namespace")
    where = f" in {namespace}" if namespace else ""
    return f"Server/{source.name}{where}: podSpec merged onto ServerConfig {name}: containers {containers}"


def trivy_input(targets: list[Path], repo: Path) -> ScanInput:
    """What `check_report` would give trivy for `targets`: to start a scan before a check."""
    objects, dockerfiles, _ = collect(targets, repo)
    return scan_input(distinct_objects(objects), dockerfiles)


def distinct_objects(objects: list[tuple[Source, dict]]) -> list[tuple[Source, dict]]:
    """Objects that differ in more than namespace and env label: a base seen again through each overlay
    is scanned once (trivy's time grows with the input), while an overlay's real changes are still scanned."""
    seen: dict[str, tuple[Source, dict]] = {}
    for source, obj in objects:
        if not isinstance(obj, dict):
            continue  # already reported by validate(); trivy has nothing to scan in it
        meta = {**(obj.get("metadata") or {})}
        meta.pop("namespace", None)
        meta["labels"] = {k: v for k, v in (meta.get("labels") or {}).items() if k != "env"}
        key = json.dumps([source.file, {**obj, "metadata": meta}], sort_keys=True, default=str)
        seen.setdefault(key, (source, obj))
    return list(seen.values())


def _known(envs: list[str], repo: Path) -> list[str]:
    known = environments.names(repo)
    unknown = sorted(set(envs) - set(known))
    if unknown:
        raise InputError(f"unknown environment {', '.join(unknown)}; use one of {', '.join(known)} or all")
    return envs


def default_targets(repo: Path, envs: list[str] | None) -> list[Path]:
    """The overlays of `envs` (None: every environment, in promotion order), every base, the plain trees."""
    out = [repo / "environments" / env for env in _known(envs or environments.names(repo), repo)]
    out += sorted(p.parent for p in (repo / "apps").glob("*/kustomization.yaml"))
    out += [repo / tree for tree in PLAIN_TREES if (repo / tree).is_dir()]
    return out + [repo / DOCKERFILE]


def collect(
    targets: list[Path], repo: Path
) -> tuple[list[tuple[Source, dict]], list[tuple[str, Path]], list[str]]:
    objects: list[tuple[Source, dict]] = []
    dockerfiles: list[tuple[str, Path]] = []
    problems: list[str] = []
    for target in targets:
        if not target.exists():
            raise InputError(
                f"{target}: no such file or directory; pass an overlay, a folder of manifests or a YAML file"
            )
        for kind, path in _walk(target):
            label = rnd.relative(path, repo)
            try:
                if kind == "overlay":
                    objects += [(Source.of(f, o), o) for f, o in rnd.render_with_origin(path, repo)]
                elif kind == "yaml":
                    objects += [(Source.of(label, o), o) for o in objects_of(path)]
                else:
                    dockerfiles.append((label, path))
            except NotManifest:
                raise  # not a manifest at all: bad input, not a finding of the check
            except InputError as exc:
                # The message starts with the absolute path; the line already names the file.
                message = str(exc).removeprefix(f"{path}").lstrip(":").strip()
                where, _, message = message.partition(": ") if message[:1].isdigit() else (".", "", message)
                source = Source(label, "Kustomization" if kind == "overlay" else "File", path.name)
                problems.append(line(source, where if where == "." else f"line {where}", message))
    return objects, dockerfiles, problems


def _walk(target: Path):
    """(kind, path) for each overlay (a folder with kustomization.yaml, not descended into), plain YAML
    file and Dockerfile under target."""
    if target.is_file():
        if target.name == "kustomization.yaml":
            yield "overlay", target.parent
        elif target.name.startswith("Dockerfile"):
            yield "dockerfile", target
        elif target.suffix in (".yaml", ".yml"):
            yield "yaml", target
        return
    if (target / "kustomization.yaml").is_file():
        yield "overlay", target
        return
    for child in sorted(target.iterdir()):
        if not child.name.startswith("."):
            yield from _walk(child)
