"""Rules on a whole pod spec, as the kubelet and the API server would see it: what a merged Seldon Server
pod (`seldon_pod.server_pod`) must hold beyond the per-container rules.

- the restricted Pod Security Standard (the namespaces enforce it): volume types, host namespaces, seccomp;
- what the API server rejects: a volumeMount naming no volume, two mounts at one path, two volumes of one
  name, a probe with more than one handler;
- what breaks at run time: the same port, port name or argument flag twice in the pod;
- where each container must write (WRITES), which must be a writable volume under a read-only root.
Returns (field path, message) pairs; containers are named `containers[<name>]`, as merging reorders them.
"""

from __future__ import annotations

import posixpath
from collections import Counter
from collections.abc import Iterator

from readmit.paths import INFERENCE_LOG_ENV

_RESTRICTED_VOLUMES = {
    "configMap", "csi", "downwardAPI", "emptyDir", "ephemeral", "persistentVolumeClaim", "projected", "secret"
}  # fmt: skip
_READ_ONLY_VOLUMES = {"configMap", "downwardAPI", "projected", "secret"}
_HANDLERS = ("exec", "httpGet", "tcpSocket", "grpc")
_PROBES = ("livenessProbe", "readinessProbe", "startupProbe")

# Paths a container writes, by container name, from the source of what runs there:
# - rclone writes its config file's folder on every config/create, update and delete (rclone fs/config/
#   config.go SaveConfig -> configfile.Storage.Save: MkdirAll, CreateTemp, Rename beside the file);
# - Seldon's agent writes only under --agent-folder, default /mnt/agent (scheduler/cmd/agent/main.go,
#   repository/model_repository.go);
# - MLServer with parallel workers keeps its metrics and environments in the working directory and
#   multiprocessing state in /tmp (mlserver settings.py DEFAULT_METRICS_DIR; the project image's WORKDIR
#   is /tmp); the project's runtime appends its inference log to the file its env READMIT_INFERENCE_LOG
#   names, rotating it beside it (readmit.serving.inference_log.Sink), and fails to load the model when
#   that folder cannot be created. Unset, it would fall back to `.readmit/` under the working directory,
#   which only the image's WORKDIR decides: the Server must set it.
# A spec is a path, an argument flag (`--flag=<file>`: the file's folder) or an env var (`$VAR`: the
# folder of the file it names; unset is a problem of its own).
WRITES = {"rclone": ("--config",), "agent": ("/mnt/agent",), "mlserver": ("/tmp", f"${INFERENCE_LOG_ENV}")}
# Containers that call the Kubernetes API with the pod's service account: Seldon's agent reads storage
# secrets (scheduler/pkg/agent/agent_svc_manager.go getArtifactConfig, rclone/rclone_config.go), through
# controller-runtime's in-cluster config, i.e. the token at this path.
API_CLIENTS = ("agent",)
TOKEN_PATH = "/var/run/secrets/kubernetes.io/serviceaccount"


def pod_problems(pod: dict, claim_templates: tuple[str, ...] = ()) -> list[tuple[str, str]]:
    """Problems of `pod`; `claim_templates` are volumes the StatefulSet adds (volumeClaimTemplates)."""
    return list(_pod_security(pod)) + list(_consistency(pod, claim_templates))


def _containers(pod: dict) -> list[dict]:
    listed = (pod.get("containers") or []) + (pod.get("initContainers") or [])
    return [c for c in listed if isinstance(c, dict)]


def _where(c: dict, field: str) -> str:
    return f"containers[{c.get('name', '?')}].{field}"


def _pod_security(pod: dict) -> Iterator[tuple[str, str]]:
    for host in ("hostNetwork", "hostPID", "hostIPC"):
        if pod.get(host):
            yield host, "must not be set (restricted pod security)"
    for v in pod.get("volumes") or []:
        kind = _kind(v)
        if kind not in _RESTRICTED_VOLUMES:
            yield f"volumes[{v.get('name')}]", f"volume type {kind} is not allowed by restricted pod security"
    pod_seccomp = ((pod.get("securityContext") or {}).get("seccompProfile") or {}).get("type")
    for c in _containers(pod):
        sc = c.get("securityContext") or {}
        if ((sc.get("seccompProfile") or {}).get("type") or pod_seccomp) not in (
            "RuntimeDefault",
            "Localhost",
        ):
            yield _where(c, "securityContext.seccompProfile"), "must be RuntimeDefault (here or in the pod)"
        added = set((sc.get("capabilities") or {}).get("add") or [])
        if added - {"NET_BIND_SERVICE"}:
            yield (
                _where(c, "securityContext.capabilities.add"),
                f"adds {sorted(added)}; only NET_BIND_SERVICE",
            )


def _kind(volume: dict) -> str:
    return next((k for k in volume if k != "name"), "?")


def _twice(counts: Counter) -> list[tuple[object, int]]:
    return [(key, n) for key, n in counts.items() if n > 1]


def _consistency(pod: dict, claim_templates: tuple[str, ...]) -> Iterator[tuple[str, str]]:
    volumes = {v.get("name"): v for v in pod.get("volumes") or []}
    for name, n in _twice(Counter(v.get("name") for v in pod.get("volumes") or [])):
        yield f"volumes[{name}]", f"volume {name} is declared {n} times"
    ports: Counter = Counter()
    port_names: Counter = Counter()
    for c in _containers(pod):
        yield from _container_consistency(c, pod, volumes, claim_templates)
        ports.update(p.get("containerPort") for p in c.get("ports") or [])
        port_names.update(p.get("name") for p in c.get("ports") or [] if p.get("name"))
    for port, n in _twice(ports):
        yield "containers[*].ports", f"containerPort {port} is declared {n} times in the pod"
    for name, n in _twice(port_names):
        yield "containers[*].ports", f"port name {name} is declared {n} times in the pod"


def _container_consistency(
    c: dict, pod: dict, volumes: dict, claim_templates: tuple[str, ...]
) -> Iterator[tuple[str, str]]:
    mounts = c.get("volumeMounts") or []
    for m in mounts:
        if m.get("name") not in volumes and m.get("name") not in claim_templates:
            yield _where(c, "volumeMounts"), f"mount {m.get('mountPath')} names no volume {m.get('name')}"
    for path, n in _twice(Counter(m.get("mountPath") for m in mounts)):
        yield _where(c, "volumeMounts"), f"{n} mounts at {path}"
    flags = Counter(str(a).split("=", 1)[0] for a in c.get("args") or [] if str(a).startswith("-"))
    for flag, n in _twice(flags):
        yield _where(c, "args"), f"flag {flag} is given {n} times"
    for probe in _PROBES:
        handlers = [h for h in _HANDLERS if h in (c.get(probe) or {})]
        if len(handlers) > 1:
            yield (
                _where(c, probe),
                f"has {len(handlers)} handlers ({', '.join(handlers)}); only one is allowed",
            )
    yield from _writable(c, volumes, claim_templates)
    if c.get("name") in API_CLIENTS and pod.get("automountServiceAccountToken") is False:
        if not any(m.get("mountPath") == TOKEN_PATH and m.get("name") in volumes for m in mounts):
            yield (
                _where(c, "volumeMounts"),
                f"{c.get('name')} reads storage secrets: mount a token at {TOKEN_PATH}",
            )


def _write_paths(c: dict) -> list[tuple[str, str | None]]:
    """(spec, folder) for each place `c` writes; folder None for an env var the container does not set."""
    out: list[tuple[str, str | None]] = []
    env = {e.get("name"): e.get("value") for e in c.get("env") or []}
    for spec in WRITES.get(c.get("name"), ()):
        if spec.startswith("--"):
            out += [
                (spec, posixpath.dirname(str(a).split("=", 1)[1]))
                for a in c.get("args") or []
                if str(a).startswith(f"{spec}=")
            ]
        elif spec.startswith("$"):
            value = env.get(spec[1:])
            out.append((spec, posixpath.dirname(value) if value and posixpath.isabs(value) else None))
        else:
            out.append((spec, spec))
    return out


def _writable(c: dict, volumes: dict, claim_templates: tuple[str, ...]) -> Iterator[tuple[str, str]]:
    if (c.get("securityContext") or {}).get("readOnlyRootFilesystem") is not True:
        return  # it writes to its root filesystem (the container rules report that on their own)
    for spec, path in _write_paths(c):
        if path is None:
            yield (
                _where(c, "env"),
                f"{c.get('name')} writes where {spec[1:]} points; set it to an absolute file path "
                "on a writable volume",
            )
            continue
        mount = max(
            (m for m in c.get("volumeMounts") or [] if _under(path, m.get("mountPath", ""))),
            key=lambda m: len(m.get("mountPath", "")),
            default=None,
        )
        volume = volumes.get(mount.get("name")) if mount else None
        kind = _kind(volume) if volume else None
        writable = mount and not mount.get("readOnly") and (mount.get("name") in claim_templates or (
            volume is not None and kind not in _READ_ONLY_VOLUMES))  # fmt: skip
        if not writable:
            yield _where(c, "volumeMounts"), f"{c.get('name')} writes {path}; mount a writable volume there"


def _under(path: str, mount: str) -> bool:
    return bool(mount) and (path == mount or path.startswith(mount.rstrip("/") + "/"))
