"""Fixtures for the manifests tests: rendered overlays (once per session) and throwaway copies of the
manifest trees that a test may break."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from readmit import envs, paths
from readmit.manifests import render

TREES = ("apps", "environments", "clusters", "tekton")
ENVIRONMENTS = tuple(envs.names(paths.repo_root()))  # environments/order.yaml


@pytest.fixture(scope="session")
def rendered(repo_root: Path) -> dict[str, list[dict]]:
    """Each overlay rendered once per session: kubectl kustomize is the slow part."""
    return {env: render.render(repo_root / "environments" / env) for env in ENVIRONMENTS}


@pytest.fixture
def schemas(crd_schema_dir: Path, seldon_config_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("READMIT_CRD_SCHEMAS", str(crd_schema_dir))
    monkeypatch.setenv("READMIT_SELDON_CONFIG", str(seldon_config_dir))
    return crd_schema_dir


@pytest.fixture
def tree_copy(repo_root: Path, tmp_path: Path) -> Path:
    """A copy of the manifest trees and the Dockerfile, free to break."""
    copy = tmp_path / "repo"
    for tree in TREES:
        if (repo_root / tree).is_dir():
            shutil.copytree(repo_root / tree, copy / tree, ignore=shutil.ignore_patterns("__pycache__"))
    (copy / "model-src").mkdir(parents=True)
    shutil.copyfile(repo_root / "model-src" / "Dockerfile", copy / "model-src" / "Dockerfile")
    return copy


def edit(path: Path, old: str, new: str) -> None:
    """Replace text that must be there: a silent no-op edit would make a broken-copy test pass vacuously."""
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not found in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
