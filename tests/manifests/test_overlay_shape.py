"""The overlays in the flux2 style: each kustomization.yaml keeps only what differs and points at one
values file of strategic-merge patches matched by name, and renders exactly what the overlays rendered
before that change (the commit below, read from git)."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
import yaml

from readmit.manifests import render

from .conftest import ENVIRONMENTS

# The last commit whose overlays held their numbers as inline JSON patches (containers/0, /spec/replicas).
BEFORE_FLUX_OVERLAYS = "67bc04a"
VALUES_FILE = "readmission-values.yaml"
# Bases the overlays gained after that commit, added to the old kustomization too (shape only).
ADDED_SINCE = ("../../apps/cds-hooks",)
PROMOTED = [
    {
        "apiVersion": "mlops.seldon.io/v1alpha1",
        "kind": "Model",
        "metadata": {"name": "readmission-v3", "annotations": {"readmit.io/model-version": "3"}},
        "spec": {"storageUri": "s3://readmit-models/readmission/3"},
    },
    {
        "apiVersion": "mlops.seldon.io/v1alpha1",
        "kind": "Model",
        "metadata": {"name": "readmission-v4", "annotations": {"readmit.io/model-version": "4"}},
        "spec": {"storageUri": "s3://readmit-models/readmission/4"},
    },
    {
        "apiVersion": "mlops.seldon.io/v1alpha1",
        "kind": "Experiment",
        "metadata": {"name": "readmission"},
        "spec": {
            "default": "readmission-v3",
            "candidates": [
                {"name": "readmission-v3", "weight": 90},
                {"name": "readmission-v4", "weight": 10},
            ],
        },
    },
]


def _old_kustomization(repo_root: Path, env: str) -> str:
    path = f"environments/{env}/kustomization.yaml"
    cmd = ["git", "-C", str(repo_root), "show", f"{BEFORE_FLUX_OVERLAYS}:{path}"]
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode != 0:
        reason = f"commit {BEFORE_FLUX_OVERLAYS} not in this clone's history: {proc.stderr.strip()}"
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    return proc.stdout


def _by_identity(objects: list[dict]) -> dict[tuple, dict]:
    out = {}
    for o in objects:
        key = (o["apiVersion"], o["kind"], o["metadata"].get("namespace"), o["metadata"]["name"])
        assert key not in out, f"{key} rendered twice"
        out[key] = o
    return out


@pytest.mark.slow
@pytest.mark.parametrize("models", ["before-any-promotion", "canary-running"])
@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_each_overlay_renders_what_its_inline_patch_version_rendered(repo_root, tree_copy, env, models):
    """Both shapes of the overlay, on the same bases and the same models.yaml, object by object."""
    overlay = tree_copy / "environments" / env
    if models == "canary-running":
        (overlay / "models.yaml").write_text(yaml.safe_dump_all(PROMOTED, sort_keys=True), encoding="utf-8")
    new = _by_identity(render.render(overlay))
    resources = yaml.safe_load((overlay / "kustomization.yaml").read_text())["resources"]
    before = yaml.safe_load(_old_kustomization(repo_root, env))
    before["resources"] += [r for r in resources if r in ADDED_SINCE]
    (overlay / "kustomization.yaml").write_text(yaml.safe_dump(before), encoding="utf-8")
    (overlay / VALUES_FILE).unlink()
    old = _by_identity(render.render(overlay))
    assert sorted(new) == sorted(old)
    for key, obj in old.items():
        assert new[key] == obj, f"{env}: {key} differs"
    if models == "canary-running":
        (experiment,) = [o for o in new.values() if o["kind"] == "Experiment"]
        assert experiment["metadata"]["annotations"]["readmit.io/canary-max-weight"]


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_each_kustomization_is_short_and_points_at_one_values_file(repo_root, env):
    path = repo_root / "environments" / env / "kustomization.yaml"
    text = path.read_text(encoding="utf-8")
    assert len(text.splitlines()) <= 20
    kustomization = yaml.safe_load(text)
    assert [p["path"] for p in kustomization["patches"] if "path" in p] == [VALUES_FILE]
    assert "containers/0" not in text and "op: replace" not in text


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_the_values_file_is_strategic_merge_patches_matched_by_name_never_by_position(repo_root, env):
    docs = list(yaml.safe_load_all((repo_root / "environments" / env / VALUES_FILE).read_text()))
    names = {(d["kind"], d["metadata"]["name"]) for d in docs}
    assert names == {("Server", "readmission"), ("Deployment", "mlflow")}
    (server,) = [d for d in docs if d["kind"] == "Server"]
    assert [c["name"] for c in server["spec"]["podSpec"]["containers"]] == ["mlserver"]
    assert not any(isinstance(d, list) for d in docs), "a JSON patch (list of ops) is positional"


def test_a_values_patch_merges_containers_by_name_not_by_list_position(tree_copy):
    """With the Server schema, patching `mlserver` keeps the sidecars and the image; the list order of the
    base no longer matters to the overlays."""
    server_yaml = tree_copy / "apps/readmission/server.yaml"
    server = yaml.safe_load(server_yaml.read_text(encoding="utf-8"))
    containers = server["spec"]["podSpec"]["containers"]
    server["spec"]["podSpec"]["containers"] = containers[1:] + containers[:1]  # mlserver last
    server_yaml.write_text(yaml.safe_dump(server, sort_keys=False), encoding="utf-8")
    (rendered,) = [o for o in render.render(tree_copy / "environments/prod") if o["kind"] == "Server"]
    by_name = {c["name"]: c for c in rendered["spec"]["podSpec"]["containers"]}
    assert sorted(by_name) == sorted(c["name"] for c in containers)
    assert by_name["mlserver"]["resources"]["limits"]["memory"] == "4Gi"
    assert by_name["mlserver"]["image"].startswith("ghcr.io/readmit/readmit@sha256:")
    assert by_name["rclone"]["resources"] == next(c for c in containers if c["name"] == "rclone")["resources"]
