from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from readmit.errors import InputError
from readmit.manifests import render, yamlfile

from .conftest import ENVIRONMENTS

HEADER = "# Written by readmit promote; do not edit by hand.\n"
CANARY = {"dev": "50", "staging": "20", "prod": "10"}


def _by_kind(objects: list[dict], kind: str) -> list[dict]:
    return [o for o in objects if o["kind"] == kind]


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_every_object_of_an_overlay_carries_the_env_label_and_namespaced_ones_its_namespace(rendered, env):
    objects = rendered[env]
    assert objects, f"{env} rendered nothing"
    assert all(o["metadata"]["labels"]["env"] == env for o in objects)
    namespaced = [o for o in objects if o["kind"] != "Namespace"]
    assert {o["metadata"]["namespace"] for o in namespaced} == {f"readmission-{env}"}


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_each_overlay_creates_its_phi_namespace_with_restricted_pod_security(rendered, env):
    (namespace,) = _by_kind(rendered[env], "Namespace")
    labels = namespace["metadata"]["labels"]
    assert namespace["metadata"]["name"] == f"readmission-{env}"
    assert labels["readmit.io/phi"] == "true"
    assert labels["pod-security.kubernetes.io/enforce"] == "restricted"


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_the_server_runs_the_project_image_with_the_readmit_and_mlflow_capabilities(rendered, env):
    (server,) = _by_kind(rendered[env], "Server")
    assert server["metadata"]["name"] == "readmission"
    assert {"readmit", "mlflow"} <= set(server["spec"]["capabilities"])
    mlserver, *sidecars = server["spec"]["podSpec"]["containers"]
    assert mlserver["name"] == "mlserver" and mlserver["image"].startswith("ghcr.io/readmit/readmit@sha256:")
    assert [c["name"] for c in sidecars] == ["rclone", "agent"] and all("image" not in c for c in sidecars)


def test_environments_differ_in_server_replicas_and_resources(rendered):
    specs = {env: _by_kind(rendered[env], "Server")[0]["spec"] for env in ENVIRONMENTS}
    assert specs["dev"]["minReplicas"] < specs["staging"]["minReplicas"] < specs["prod"]["minReplicas"]
    limits = {env: s["podSpec"]["containers"][0]["resources"]["limits"]["memory"] for env, s in specs.items()}
    assert len(set(limits.values())) == 3


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_before_any_promotion_models_yaml_is_only_the_header_and_no_model_is_live(repo_root, rendered, env):
    assert (repo_root / "environments" / env / "models.yaml").read_text(encoding="utf-8") == HEADER
    assert _by_kind(rendered[env], "Model") == [] and _by_kind(rendered[env], "Experiment") == []


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_the_canary_limit_is_on_the_namespace_before_any_promotion_too(rendered, env):
    (namespace,) = _by_kind(rendered[env], "Namespace")
    assert namespace["metadata"]["annotations"] == {"readmit.io/canary-max-weight": CANARY[env]}
    (server,) = _by_kind(rendered[env], "Server")
    assert "readmit.io/canary-max-weight" not in server["metadata"].get("annotations", {})


def test_a_promoted_models_yaml_gets_the_model_defaults_and_leaves_the_canary_limit_on_the_namespace(
    tree_copy,
):
    docs = [
        {
            "apiVersion": "mlops.seldon.io/v1alpha1",
            "kind": "Model",
            "metadata": {"name": "readmission-v3", "annotations": {"readmit.io/model-version": "3"}},
            "spec": {"storageUri": "s3://readmit-models/readmission/3"},
        },
        {
            "apiVersion": "mlops.seldon.io/v1alpha1",
            "kind": "Experiment",
            "metadata": {"name": "readmission"},
            "spec": {"default": "readmission-v3", "candidates": [{"name": "readmission-v3", "weight": 100}]},
        },
    ]
    overlay = tree_copy / "environments" / "staging"
    (overlay / "models.yaml").write_text(
        HEADER + yaml.safe_dump_all(docs, sort_keys=True, default_flow_style=False)
    )
    objects = render.render(overlay)
    (model,) = _by_kind(objects, "Model")
    (experiment,) = _by_kind(objects, "Experiment")
    assert model["spec"]["server"] == "readmission" and model["spec"]["requirements"] == ["readmit"]
    assert experiment["spec"]["resourceType"] == "model"
    assert "annotations" not in experiment["metadata"]
    (namespace,) = _by_kind(objects, "Namespace")
    assert experiment["metadata"]["namespace"] == namespace["metadata"]["name"]
    assert namespace["metadata"]["annotations"]["readmit.io/canary-max-weight"] == CANARY["staging"]


def test_the_initial_models_yaml_is_what_pyyaml_writes_for_no_documents():
    assert HEADER + yaml.safe_dump_all([], sort_keys=True, default_flow_style=False) == HEADER


def test_render_text_is_the_kubectl_kustomize_output(repo_root):
    text = render.render_text(repo_root / "environments" / "dev")
    assert "kind: Namespace" in text and "name: readmission-dev" in text


def test_render_with_origin_names_the_file_each_object_came_from_and_drops_the_annotation(repo_root):
    pairs = render.render_with_origin(repo_root / "environments" / "dev", repo_root)
    origins = {(o["kind"], o["metadata"]["name"]): f for f, o in pairs}
    assert origins[("Server", "readmission")] == "apps/readmission/server.yaml"
    assert origins[("Namespace", "readmission-dev")] == "environments/dev/namespace.yaml"
    assert origins[("ConfigMap", "readmission-dashboard")] == "apps/readmission/kustomization.yaml"
    assert not any(
        "config.kubernetes.io/origin" in (o["metadata"].get("annotations") or {}) for _, o in pairs
    )


def test_a_folder_without_kustomization_is_bad_input(tmp_path: Path):
    with pytest.raises(InputError, match="no kustomization.yaml"):
        render.render_text(tmp_path)


def test_missing_kubectl_is_one_clear_line(monkeypatch, repo_root, tmp_path: Path):
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(InputError, match="kubectl not found on PATH; install kubectl v1.32"):
        render.render_text(repo_root / "environments" / "dev")


def test_a_kustomize_failure_names_the_overlay_and_kustomize_s_reason(tree_copy):
    overlay = tree_copy / "environments" / "dev"
    (overlay / "kustomization.yaml").write_text("resources:\n  - gone.yaml\n", encoding="utf-8")
    with pytest.raises(InputError) as exc:
        render.render_text(overlay)
    message = str(exc.value)
    assert message.startswith(f"{overlay}: kubectl kustomize failed: ") and "gone.yaml" in message
    assert "\n" not in message and "run.go" not in message  # klog's prefix is stripped


def test_invalid_yaml_in_a_plain_file_is_one_line_with_the_line_number(tmp_path: Path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("a: 1\nb: [unclosed\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"bad.yaml:\d+: not valid YAML"):
        yamlfile.load(bad)
