"""tekton/ follows the catalog's layout and conventions, validates, and every pipeline plans."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from readmit.manifests.check import check
from readmit.pipeline.run import Options, run

UPPER_SNAKE = re.compile(r"^[A-Z][A-Z0-9_]*$")
REQUIRED = {"canary-analyze": {"ENV": "dev"}}  # required params other than REPO_URL
SECTIONS = ("## Install", "## Workspaces", "## Parameters", "## Results", "## Usage")


def _catalog(repo_root: Path, kind: str) -> list[Path]:
    found = sorted((repo_root / "tekton" / kind).glob("*/*/*.yaml"))
    return [p for p in found if p.stem == p.parent.parent.name]


@pytest.mark.parametrize("kind", ["tasks", "pipelines"])
def test_every_resource_sits_in_name_version_folders_with_a_readme(repo_root, kind):
    files = _catalog(repo_root, kind)
    assert files, f"no {kind} under tekton/{kind}"
    for path in files:
        obj = yaml.safe_load(path.read_text())
        where = path.relative_to(repo_root)
        assert obj["apiVersion"] == "tekton.dev/v1", where
        assert obj["metadata"]["name"] == path.parent.parent.name, where
        assert obj["metadata"]["labels"]["app.kubernetes.io/version"] == path.parent.name, where
        readme = (path.parent / "README.md").read_text()
        assert [s for s in SECTIONS if s not in readme] == [], where
        spec = obj["spec"]
        for p in spec.get("params") or []:
            assert UPPER_SNAKE.match(p["name"]) and p.get("description"), f"{where}: param {p['name']}"
            assert f"**{p['name']}**" in readme, f"{where}: README does not describe {p['name']}"
        if kind == "tasks":
            for item in (spec.get("workspaces") or []) + (spec.get("results") or []):
                assert f"**{item['name']}**" in readme, f"{where}: README does not describe {item['name']}"
            assert list((path.parent / "samples").glob("*.yaml")), f"{where}: no samples/"


def test_scripts_read_params_through_env_only(repo_root):
    offenders = [
        f"{path.relative_to(repo_root)}: {step['name']}"
        for path in _catalog(repo_root, "tasks")
        for step in yaml.safe_load(path.read_text())["spec"]["steps"]
        if "$(params." in step.get("script", "")
    ]
    assert offenders == []


def test_tekton_tree_validates_against_the_crd_schemas(repo_root, crd_schema_dir):
    assert check(paths=[repo_root / "tekton"], repo=repo_root, trivy=False) == []


@pytest.mark.parametrize("name", ["retrain-and-promote", "registry-sync", "canary-analyze"])
def test_every_pipeline_resolves_its_tasks_and_plans(
    repo_root, name, tmp_path, monkeypatch, capsys, crd_schema_dir
):
    monkeypatch.setenv("READMIT_HOME", str(tmp_path))
    path = repo_root / "tekton" / "pipelines" / name / "0.1" / f"{name}.yaml"
    state = run(
        path,
        Options(params={"REPO_URL": "/nowhere", **REQUIRED.get(name, {})}, dry_run=True, run_name="plan"),
        say=lambda m: None,
    )
    plan = capsys.readouterr().out
    assert "  1. git-clone\n" in plan and "finally: notify" in plan
    assert all(not pt.task.embedded for pt in state.pipeline.all_tasks())  # every task from the catalog
