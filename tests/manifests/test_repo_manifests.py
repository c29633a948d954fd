"""The decisions other areas rely on, read straight from the committed files (no rendering needed)."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import yaml

REPO_URL = "https://git.hospital.example/mlops/readmit.git"
NAMESPACES = {"readmission-dev", "readmission-staging", "readmission-prod"}


def _load(path: Path) -> list[dict]:
    return [d for d in yaml.safe_load_all(path.read_text(encoding="utf-8")) if d]


def _stages(dockerfile: str) -> list[str]:
    return re.split(r"(?m)^FROM ", dockerfile)[1:]


def test_the_appproject_allows_only_this_repo_the_three_namespaces_and_namespaces_cluster_wide(repo_root):
    (project,) = _load(repo_root / "clusters/argocd/appproject.yaml")
    spec = project["spec"]
    assert spec["sourceRepos"] == [REPO_URL]
    assert {d["namespace"] for d in spec["destinations"]} == NAMESPACES
    assert spec["clusterResourceWhitelist"] == [{"group": "", "kind": "Namespace"}]
    prod_syncers = [
        r["name"]
        for r in spec["roles"]
        if any("sync, readmission/readmission-prod," in p for p in r["policies"])
    ]
    assert prod_syncers == ["approver"]
    assert [w["applications"] for w in spec["syncWindows"]] == [["readmission-prod"]]


def test_argocd_has_health_checks_for_every_seldon_kind_we_deploy(repo_root):
    (cm,) = _load(repo_root / "clusters/argocd/argocd-cm.yaml")
    keys = {k for k in cm["data"] if k.startswith("resource.customizations.health.")}
    assert keys == {
        f"resource.customizations.health.mlops.seldon.io_{k}" for k in ("Model", "Experiment", "Server")
    }


def test_no_plain_secret_is_committed_anywhere_in_the_manifests(repo_root):
    for tree in ("apps", "environments", "clusters"):
        for path in (repo_root / tree).rglob("*.yaml"):
            assert all(d.get("kind") != "Secret" for d in _load(path) if isinstance(d, dict)), path


def test_the_dockerfile_is_multi_stage_pinned_non_root_with_a_healthcheck(repo_root):
    text = (repo_root / "model-src/Dockerfile").read_text(encoding="utf-8")
    assert re.search(r"(?m)^ARG PYTHON_IMAGE=docker\.io/library/python:[\w.-]+@sha256:[0-9a-f]{64}$", text)
    build, final = _stages(text)
    assert "build-essential" in build and "build-essential" not in final
    assert "-c constraints.txt" in build and "download.pytorch.org/whl/cpu" in build
    assert re.search(r"(?m)^USER 10001:10001$", final)
    assert re.search(r"(?m)^HEALTHCHECK ", final)
    assert not re.search(r"(?m)^ENTRYPOINT", text)  # the command is `readmit ...` or `readmit-mlserver ...`


def test_the_servers_command_is_a_console_script_the_image_installs(repo_root):
    """The Server runs `readmit-mlserver`: a [project.scripts] entry of model-src/pyproject.toml, which the
    image's `pip install ... .` of that project puts on its PATH (/opt/readmit/bin)."""
    (server,) = _load(repo_root / "apps/readmission/server.yaml")
    (runtime,) = [c for c in server["spec"]["podSpec"]["containers"] if c["name"] == "mlserver"]
    project = tomllib.loads((repo_root / "model-src/pyproject.toml").read_text(encoding="utf-8"))
    assert runtime["command"] == ["readmit-mlserver"] and runtime["args"] == ["start", "/mnt/agent/models"]
    assert project["project"]["scripts"]["readmit-mlserver"] == "readmit.serving.launch:main"
    build, final = _stages((repo_root / "model-src/Dockerfile").read_text(encoding="utf-8"))
    assert re.search(r"(?m)-c constraints\.txt \.\s*\\?$", build) and "COPY src ./src" in build
    assert "ENV PATH=/opt/readmit/bin:$PATH" in final
