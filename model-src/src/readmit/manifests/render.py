"""Render Kustomize overlays with `kubectl kustomize` (the same renderer Argo CD uses) and load plain YAML."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import yaml

from readmit.errors import InputError
from readmit.yaml_c import LOADER

_ORIGIN = "config.kubernetes.io/origin"
_KLOG_ERR = re.compile(r'err="(.*)"$')


def load_all(text: str) -> list:
    """Every document of a multi-document YAML text, empty ones left out. With libyaml's loader: kustomize
    writes thousands of lines, and the pure-Python loader took most of a promotion's Python time."""
    return [doc for doc in yaml.load_all(text, Loader=LOADER) if doc is not None]


def kubectl() -> str:
    """Path of kubectl, or one clear line saying how to get it."""
    found = shutil.which("kubectl")
    if not found:
        raise InputError("kubectl not found on PATH; install kubectl v1.32 (it bundles kustomize v5.5)")
    return found


def _kustomize(path: Path) -> str:
    proc = subprocess.run([kubectl(), "kustomize", str(path)], capture_output=True, text=True)
    if proc.returncode != 0:
        why = next((ln.strip() for ln in proc.stderr.splitlines() if ln.strip()), "no output")
        # kubectl logs through klog: `E1128 21:22:24.8 123 run.go:72] "command failed" err="<reason>"`
        match = _KLOG_ERR.search(why)
        why = match.group(1).replace('\\"', '"') if match else why
        raise InputError(
            f"{path}: kubectl kustomize failed: {why}; fix the kustomization or the files it lists"
        )
    return proc.stdout


def render_text(path: Path) -> str:
    """The multi-document YAML that `kubectl kustomize <path>` prints."""
    path = Path(path)
    if not (path / "kustomization.yaml").is_file():
        raise InputError(f"{path}: no kustomization.yaml; pass an overlay directory such as environments/dev")
    return _kustomize(path)


def render(path: Path) -> list[dict]:
    """The rendered objects of an overlay, in kustomize's order."""
    return [doc for doc in load_all(render_text(path)) if doc]


def render_with_origin(path: Path, repo: Path) -> list[tuple[str, dict]]:
    """(repo-relative source file, object) pairs: a throwaway wrapper kustomization asks kustomize to
    annotate each object with the file it came from, so problems point at the file to edit."""
    path = Path(path).resolve()
    repo = Path(repo).resolve()
    if not (path / "kustomization.yaml").is_file():
        raise InputError(f"{path}: no kustomization.yaml; pass an overlay directory such as environments/dev")
    with tempfile.TemporaryDirectory(prefix="readmit-render-") as tmp:
        rel = os.path.relpath(path, tmp)
        Path(tmp, "kustomization.yaml").write_text(
            f"resources:\n  - {rel}\nbuildMetadata: [originAnnotations]\n", encoding="utf-8"
        )
        try:
            text = _kustomize(Path(tmp))
        except InputError:
            _kustomize(path)  # the overlay's own error, without the wrapper's paths
            raise
        out = []
        for doc in load_all(text):
            if doc:
                out.append((_origin(doc, Path(tmp), repo, path), doc))
        return out


def _origin(doc: dict, tmp: Path, repo: Path, overlay: Path) -> str:
    annotations = (doc.get("metadata") or {}).get("annotations") or {}
    raw = annotations.pop(_ORIGIN, None)
    if not annotations and "annotations" in doc.get("metadata", {}):
        del doc["metadata"]["annotations"]
    origin = yaml.safe_load(raw) if raw else {}
    where = (origin or {}).get("path") or (origin or {}).get("configuredIn")
    target = Path(os.path.normpath(tmp / where)) if where else overlay
    return relative(target, repo)


def relative(path: Path, repo: Path) -> str:
    try:
        return Path(path).resolve().relative_to(Path(repo).resolve()).as_posix()
    except ValueError:
        return str(path)
