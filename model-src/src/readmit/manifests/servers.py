"""A Seldon `Server` checked as the pod it becomes: `seldon_pod.server_pod` merges it onto its ServerConfig
(Seldon's installed ones, from `paths.seldon_config()`, or one rendered beside it), then the container
rules and `pod_rules` run on the merged pod. Field paths read `merged pod (ServerConfig <name>).<path>`."""

from __future__ import annotations

from pathlib import Path

import yaml

from readmit.errors import InputError
from readmit.manifests.containers import container_rules
from readmit.manifests.pod_rules import pod_problems
from readmit.manifests.seldon_pod import server_pod

SERVER_TYPE_ENV = "SELDON_SERVER_TYPE"


def load_server_configs(folder: Path) -> dict[str, dict]:
    """Every ServerConfig in `folder`'s serverconfig-*.yaml files, by name."""
    files = sorted(Path(folder).glob("serverconfig-*.yaml"))
    if not files:
        raise InputError(
            f"{folder}: no serverconfig-*.yaml (Seldon's installed ServerConfigs); "
            "set READMIT_SELDON_CONFIG to the folder holding them"
        )
    docs = [d for f in files for d in yaml.safe_load_all(f.read_text(encoding="utf-8")) if d]
    return {d["metadata"]["name"]: d for d in docs if d.get("kind") == "ServerConfig"}


def merged(server: dict, configs: dict[str, dict]) -> tuple[str, dict] | None:
    """(ServerConfig name, merged pod spec), or None when the ServerConfig is unknown."""
    name = (server.get("spec") or {}).get("serverConfig") or ""
    return (name, server_pod(server, configs[name])) if name in configs else None


def server_problems(server: dict, configs: dict[str, dict]) -> list[tuple[str, str]]:
    found = merged(server, configs)
    if found is None:
        name = (server.get("spec") or {}).get("serverConfig")
        return [("spec.serverConfig", f"ServerConfig {name} is not one of {sorted(configs)}")]
    name, pod = found
    config_pod = configs[name]["spec"]["podSpec"]
    claims = tuple(t["name"] for t in configs[name]["spec"].get("volumeClaimTemplates") or [])
    own_images = {c.get("name") for c in _override(server) if "image" in c}
    runtime = _server_container(config_pod)
    prefix = f"merged pod (ServerConfig {name})"
    out = []
    for c in pod.get("containers") or []:
        rules = container_rules(c, pod, True, c.get("name") not in own_images)
        out += [(f"{prefix}.containers[{c.get('name')}].{f}", m) for f, m in rules]
        if c.get("name") in own_images and c.get("name") != runtime and c.get("name") in _names(config_pod):
            why = f"Seldon's {c.get('name')} keeps its ServerConfig image; only {runtime} runs the project's"
            out.append((f"{prefix}.containers[{c.get('name')}].image", why))
    out += [(f"{prefix}.{f}", m) for f, m in pod_problems(pod, claims)]
    return out


def _override(server: dict) -> list[dict]:
    return ((server.get("spec") or {}).get("podSpec") or {}).get("containers") or []


def _names(pod: dict) -> set[str]:
    return {c.get("name") for c in pod.get("containers") or []}


def _server_container(config_pod: dict) -> str:
    """The container the agent serves through: the one SELDON_SERVER_TYPE names (`mlserver`)."""
    for c in config_pod.get("containers") or []:
        for env in c.get("env") or []:
            if env.get("name") == SERVER_TYPE_ENV and env.get("value") in _names(config_pod):
                return env["value"]
    return "mlserver"
