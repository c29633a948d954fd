"""What every container in this repo must do (the issue's "every container" rules), checked on any
`containers`/`initContainers` list inside an object: core workloads, Seldon Server podSpecs, Katib trial
templates. Batch containers (Jobs, CronJobs, Katib trials) need no liveness/readiness probes. On a Seldon
Server's podSpec alone, a container without an image keeps its ServerConfig's; `readmit manifests check`
applies these rules to the Server's merged pod instead (`servers.py`), since the override is not what runs."""

from __future__ import annotations

import re
from collections.abc import Iterator

from readmit.manifests.problems import field_path

_DIGEST = re.compile(r"@sha256:[0-9a-f]{64}$")
_LONG_RUNNING = {"Pod", "Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Server"}


def container_problems(obj: dict) -> list[tuple[str, str]]:
    if not isinstance(obj, dict):
        return []
    kind = obj.get("kind")
    long_running = isinstance(kind, str) and kind in _LONG_RUNNING
    inherits_image = kind == "Server"
    out: list[tuple[str, str]] = []
    for path, pod, container in _containers(obj, []):
        is_init = path[-2] == "initContainers"
        rules = container_rules(
            container, pod, long_running and not is_init, inherits_image and "image" not in container
        )
        out.extend((field_path([*path, f]), msg) for f, msg in rules)
    return out


def _containers(node: object, path: list) -> Iterator[tuple[list, dict, dict]]:
    """(field path, pod spec holding the list, container) for every container anywhere in node."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key in ("containers", "initContainers") and isinstance(value, list):
                for i, c in enumerate(value):
                    if isinstance(c, dict):
                        yield [*path, key, i], node, c
            else:
                yield from _containers(value, [*path, key])
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _containers(value, [*path, i])


def _map(value: object) -> dict:
    """A field that should be a mapping; anything else (already a schema problem) counts as unset."""
    return value if isinstance(value, dict) else {}


def container_rules(
    c: dict, pod: dict, needs_probes: bool, inherited_image: bool
) -> Iterator[tuple[str, str]]:
    """The rules on one container `c` of `pod`, as (field under the container, message)."""
    image = str(c.get("image") or "")
    if not inherited_image and not _DIGEST.search(image):
        yield "image", f"image {image or '(none)'} is not pinned by digest (@sha256:<64 hex>)"
    resources = _map(c.get("resources"))
    for section in ("requests", "limits"):
        for res in ("cpu", "memory"):
            if not _map(resources.get(section)).get(res):
                yield (
                    f"resources.{section}.{res}",
                    f"missing {section}.{res}; every container sets requests and limits",
                )
    sc = _map(c.get("securityContext"))
    pod_sc = _map(pod.get("securityContext"))
    if sc.get("runAsNonRoot") is not True and not (
        pod_sc.get("runAsNonRoot") is True and "runAsNonRoot" not in sc
    ):
        yield "securityContext.runAsNonRoot", "must be true (here or in the pod securityContext)"
    if sc.get("readOnlyRootFilesystem") is not True:
        yield "securityContext.readOnlyRootFilesystem", "must be true; mount an emptyDir where it writes"
    if sc.get("allowPrivilegeEscalation") is not False:
        yield "securityContext.allowPrivilegeEscalation", "must be false"
    drop = _map(sc.get("capabilities")).get("drop")
    if not isinstance(drop, list) or "ALL" not in drop:
        yield "securityContext.capabilities.drop", "must drop ALL capabilities"
    if needs_probes:
        for probe in ("livenessProbe", "readinessProbe"):
            if not c.get(probe):
                yield probe, f"missing {probe}; long-running containers need liveness and readiness probes"
