"""The overlays in the flux2 style: each kustomization.yaml keeps only what differs and points at one
values file of strategic-merge patches matched by name, and renders exactly what the overlays rendered
before that change (the commit below, read from git), apart from the one intended move: the canary limit
left the Experiment for the environment's Namespace, with the same value."""

from __future__ import annotations

import copy
import os
import re
import subprocess
from pathlib import Path

import pytest
import yaml

from readmit.manifests import render

from .conftest import ENVIRONMENTS

# The last commit whose overlays held their numbers as inline JSON patches (containers/0, /spec/replicas).
BEFORE_FLUX_OVERLAYS = "67bc04a"
VALUES_FILE = "readmission-values.yaml"
LIMIT = "readmit.io/canary-max-weight"
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


def _limit_moved_to_the_namespace(old: dict[tuple, dict], limit: str) -> dict[tuple, dict]:
    """The old rendering with the one intended difference applied: the canary limit leaves the Experiment
    (a targeted patch in the old kustomization, so only once a version was live) for the Namespace (a patch
    keyed by name in the values file, so also before any promotion), with the same value."""
    out = copy.deepcopy(old)
    for obj in out.values():
        meta = obj["metadata"]
        if obj["kind"] == "Experiment":
            assert meta["annotations"].pop(LIMIT) == limit
            if not meta["annotations"]:
                del meta["annotations"]
        elif obj["kind"] == "Namespace":
            assert LIMIT not in meta.get("annotations", {})
            meta.setdefault("annotations", {})[LIMIT] = limit
    return out


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
    old_text = _old_kustomization(repo_root, env)
    (limit,) = re.findall(re.escape(LIMIT) + r': "(\d+)"', old_text)
    before = yaml.safe_load(old_text)
    before["resources"] += [r for r in resources if r in ADDED_SINCE]
    (overlay / "kustomization.yaml").write_text(yaml.safe_dump(before), encoding="utf-8")
    (overlay / VALUES_FILE).unlink()
    expected = _limit_moved_to_the_namespace(_by_identity(render.render(overlay)), limit)
    assert sorted(new) == sorted(expected)
    for key, obj in expected.items():
        assert new[key] == obj, f"{env}: {key} differs"
    (namespace,) = [o for o in new.values() if o["kind"] == "Namespace"]
    assert namespace["metadata"]["annotations"][LIMIT] == limit


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_each_kustomization_is_short_and_points_at_one_values_file(repo_root, env):
    path = repo_root / "environments" / env / "kustomization.yaml"
    text = path.read_text(encoding="utf-8")
    assert len(text.splitlines()) <= 20
    kustomization = yaml.safe_load(text)
    assert kustomization["patches"] == [{"path": VALUES_FILE}], "no targeted patch: all values by name"
    assert "containers/0" not in text and "op: replace" not in text


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_the_values_file_is_strategic_merge_patches_matched_by_name_never_by_position(repo_root, env):
    docs = list(yaml.safe_load_all((repo_root / "environments" / env / VALUES_FILE).read_text()))
    names = {(d["kind"], d["metadata"]["name"]) for d in docs}
    assert names == {("Server", "readmission"), ("Deployment", "mlflow"), ("Namespace", f"readmission-{env}")}
    (server,) = [d for d in docs if d["kind"] == "Server"]
    assert [c["name"] for c in server["spec"]["podSpec"]["containers"]] == ["mlserver"]
    # Seldon copies a Server's annotations into its pod template: one there would restart the pods.
    assert "annotations" not in server["metadata"]
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
