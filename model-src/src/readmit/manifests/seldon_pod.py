"""The pod Seldon Core 2 really runs for a `Server`: its `spec.podSpec` merged onto the `ServerConfig`'s, as
the operator does it (SeldonIO/seldon-core v2 @7b77f8b, operator/controllers/reconcilers/common/
patch_utils.go `MergePodSpecs` and `MergeContainers`, then server/server_reconciler.go
`updateCapabilities`), on the objects' JSON form.

`MergePodSpecs` calls mergo v1.0.0 `Merge(dst, src, WithOverride, WithAppendSlice)` (merge.go `deepMerge`):
- an object (struct, pointer to struct, map) is merged field by field; a field the ServerConfig lacks
  takes the Server's value;
- a scalar is replaced unless the Server's value is empty (`false`, `0`, `""`): an override can never turn
  a `true` into `false`;
- every list is appended to, never merged: env, ports, volumeMounts, volumes, command, args, ...;
- an IntOrString (a probe's or handler's `port`) is a struct of type, int and string, merged field by field:
  an int port over a named port keeps the name.
Containers are matched by name: the Server's containers come first, each merged onto the ServerConfig's
container of that name (or added as it is), then the ServerConfig's containers it did not name.
"""

from __future__ import annotations

import copy

_INT_OR_STRING_PARENTS = ("httpGet", "tcpSocket")
CAPABILITIES_ENV = "SELDON_SERVER_CAPABILITIES"


def mergo(dst: object, src: object, parent: str | None = None) -> object:
    """`dst` with `src` merged onto it (neither is changed)."""
    if isinstance(dst, dict) and isinstance(src, dict):
        out = dict(dst)
        for key, value in src.items():
            if out.get(key) is None:
                out[key] = copy.deepcopy(value)
            elif key == "port" and parent in _INT_OR_STRING_PARENTS:
                out[key] = _int_or_string(out[key], value)
            else:
                out[key] = mergo(out[key], value, key)
        return out
    if isinstance(dst, list) and isinstance(src, list):
        return [*dst, *copy.deepcopy(src)]
    return dst if _empty(src) else copy.deepcopy(src)


def _empty(value: object) -> bool:
    return value is None or value is False or value == 0 or value == "" or value == [] or value == {}


def _int_or_string(dst: int | str, src: int | str) -> int | str:
    # Fields Type (0 int, 1 string), IntVal, StrVal, each replaced only by a non-empty value.
    if isinstance(src, str) and src:
        return src
    return dst if isinstance(dst, str) else (src or dst)


def merge_containers(existing: list[dict], overrides: list[dict]) -> list[dict]:
    out: list[dict] = []
    for override in overrides:
        matches = [c for c in existing if c.get("name") == override.get("name")]
        out += [mergo(c, override) for c in matches] or [copy.deepcopy(override)]
    named = {o.get("name") for o in overrides}
    return out + [copy.deepcopy(c) for c in existing if c.get("name") not in named]


def merge_pod_specs(server_config_pod: dict, override: dict | None) -> dict:
    dst = copy.deepcopy(server_config_pod)
    if override is None:
        return dst
    merged = mergo(dst, {k: v for k, v in override.items() if k != "containers"})
    merged["containers"] = merge_containers(
        server_config_pod.get("containers") or [], override.get("containers") or []
    )
    return merged


def update_capabilities(pod: dict, capabilities: list[str], extra: list[str]) -> dict:
    """The operator's last step: `spec.capabilities` replace the agent's capability list, else
    `spec.extraCapabilities` are appended to it."""
    if not capabilities and not extra:
        return pod
    for container in pod.get("containers") or []:
        for env in container.get("env") or []:
            if env.get("name") == CAPABILITIES_ENV:
                joined = ",".join(capabilities or extra)
                env["value"] = joined if capabilities else f"{env.get('value', '')},{joined}"
                env.pop("valueFrom", None)
    return pod


def server_pod(server: dict, server_config: dict) -> dict:
    """The pod spec of `server`'s StatefulSet, given the ServerConfig it names."""
    spec = server.get("spec") or {}
    pod = merge_pod_specs((server_config.get("spec") or {}).get("podSpec") or {}, spec.get("podSpec"))
    return update_capabilities(pod, spec.get("capabilities") or [], spec.get("extraCapabilities") or [])
