from __future__ import annotations

import contextlib
from pathlib import Path

import pytest

from readmit.errors import InputError
from readmit.manifests import check as manifests_check
from readmit.manifests.check import check, trivy_input

from .conftest import edit

pytestmark = pytest.mark.slow


def _scratch(tree: Path) -> Path:
    """A folder of plain manifests of the test's own, independent of what tekton/ holds today."""
    folder = tree / "scratch"
    folder.mkdir(exist_ok=True)
    return folder


def test_every_overlay_the_bases_clusters_and_dockerfile_pass_the_full_check_with_trivy(repo_root, schemas):
    assert check(repo=repo_root) == []


def test_a_misspelt_field_is_reported_with_its_source_file_and_field_path(tree_copy, schemas):
    edit(tree_copy / "apps/readmission/pdb.yaml", "  minAvailable: 1", "  minAvailabel: 1")
    problems = check(paths=[tree_copy / "environments/dev"], repo=tree_copy, trivy=False)
    assert (
        "apps/readmission/pdb.yaml: PodDisruptionBudget/readmission: spec.minAvailabel: unknown field"
        in "\n".join(problems)
    )


def test_a_misspelt_field_in_a_crd_object_fails_its_strict_schema(tree_copy, schemas):
    edit(tree_copy / "apps/readmission/server.yaml", "  serverConfig: mlserver", "  serverConfg: mlserver")
    problems = "\n".join(check(paths=[tree_copy / "environments/staging"], repo=tree_copy, trivy=False))
    assert "apps/readmission/server.yaml: Server/readmission: spec.serverConfg: unknown field" in problems
    assert (
        "apps/readmission/server.yaml: Server/readmission: spec: 'serverConfig' is a required property"
        in problems
    )


def test_a_wrong_crd_apiversion_is_reported_with_the_known_versions(tree_copy, schemas):
    edit(tree_copy / "apps/readmission/server.yaml", "mlops.seldon.io/v1alpha1", "mlops.seldon.io/v1beta1")
    problems = check(paths=[tree_copy / "apps/readmission"], repo=tree_copy, trivy=False)
    assert problems == [
        "apps/readmission/server.yaml: Server/readmission: apiVersion: "
        "no schema for mlops.seldon.io/v1beta1 Server (known versions: v1alpha1)"
    ]
    # The overlays' values patch names the Server's apiVersion, so there it is one render problem.
    (problem,) = check(paths=[tree_copy / "environments/prod"], repo=tree_copy, trivy=False)
    assert problem.startswith("environments/prod: Kustomization/prod: .: kubectl kustomize failed: ")
    assert "Server.v1alpha1.mlops.seldon.io/readmission" in problem


def test_a_wrong_core_apiversion_is_reported_as_not_a_kubernetes_1_32_kind(tree_copy, schemas):
    edit(
        tree_copy / "apps/mlflow/tracking.yaml",
        "apiVersion: apps/v1\nkind: Deployment",
        "apiVersion: apps/v1beta1\nkind: Deployment",
    )
    problems = check(paths=[tree_copy / "apps/mlflow"], repo=tree_copy, trivy=False)
    assert problems == [
        "apps/mlflow/tracking.yaml: Deployment/mlflow: apiVersion: apps/v1beta1 Deployment is not a "
        "Kubernetes 1.32 kind; "
        "check apiVersion and kind"
    ]


def test_a_container_without_limits_is_reported_per_missing_limit(tree_copy, schemas):
    edit(
        tree_copy / "apps/mlflow/tracking.yaml",
        '            limits:\n              cpu: "1"\n              memory: 1Gi\n',
        "",
    )
    problems = check(paths=[tree_copy / "environments/dev"], repo=tree_copy, trivy=False)
    prefix = "apps/mlflow/tracking.yaml: Deployment/mlflow: spec.template.spec.containers[0].resources.limits"
    assert problems == [
        f"{prefix}.cpu: missing limits.cpu; every container sets requests and limits",
        f"{prefix}.memory: missing limits.memory; every container sets requests and limits",
    ]


def test_an_environment_patch_that_breaks_only_that_overlay_points_at_the_overlay(tree_copy, schemas):
    edit(
        tree_copy / "environments/prod/readmission-values.yaml",
        "  replicas: 3\n",
        "  replicas: three\n",
    )
    problems = check(paths=[tree_copy / "environments/prod"], repo=tree_copy, trivy=False)
    assert problems == [
        "apps/readmission/server.yaml: Server/readmission: spec.replicas: 'three' is not of type 'integer'"
    ]
    assert check(paths=[tree_copy / "environments/dev"], repo=tree_copy, trivy=False) == []


def test_a_kustomization_that_does_not_render_is_one_problem_line_not_a_crash(tree_copy, schemas):
    edit(tree_copy / "environments/dev/kustomization.yaml", " models.yaml]", " missing.yaml]")
    problems = check(paths=[tree_copy / "environments/dev"], repo=tree_copy, trivy=False)
    assert len(problems) == 1
    assert problems[0].startswith("environments/dev: Kustomization/dev: .: ")
    assert "kubectl kustomize failed" in problems[0] and "missing.yaml" in problems[0]


def test_a_crd_kind_without_any_schema_is_a_problem_not_a_pass(tree_copy, schemas):
    (_scratch(tree_copy) / "widget.yaml").write_text(
        "apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: w\n", encoding="utf-8"
    )
    problems = check(paths=[tree_copy / "scratch"], repo=tree_copy, trivy=False)
    assert problems == [
        f"scratch/widget.yaml: Widget/w: apiVersion: no schema for example.com/v1 Widget "
        f"(add its JSON schema under {schemas}/example.com/)"
    ]


def test_invalid_yaml_in_a_plain_folder_is_a_problem_line_with_its_line_number(tree_copy, schemas):
    (_scratch(tree_copy) / "bad.yaml").write_text("kind: Task\nspec: [unclosed\n", encoding="utf-8")
    problems = check(paths=[tree_copy / "scratch"], repo=tree_copy, trivy=False)
    assert problems == [
        "scratch/bad.yaml: File/bad.yaml: line 3: not valid YAML (did not find expected ',' or ']'); "
        "fix the syntax"
    ]


def test_plain_manifest_folders_such_as_clusters_are_validated_too(tree_copy, schemas):
    edit(tree_copy / "clusters/argocd/appproject.yaml", "  sourceRepos:", "  sourceRepo:")
    problems = check(paths=[tree_copy / "clusters"], repo=tree_copy, trivy=False)
    assert (
        "clusters/argocd/appproject.yaml: AppProject/readmission: spec.sourceRepo: unknown field"
        in "\n".join(problems)
    )


def test_trivy_high_findings_fail_the_check_and_name_the_object(tree_copy, schemas):
    manifest = tree_copy / "apps/mlflow/postgres.yaml"
    edit(manifest, "            allowPrivilegeEscalation: false\n", "            privileged: true\n")
    problems = check(paths=[manifest], repo=tree_copy, trivy=True)
    assert any(
        p.startswith("apps/mlflow/postgres.yaml: StatefulSet/mlflow-postgres: trivy AVD-KSV-0017: HIGH:")
        for p in problems
    )


def test_trivy_scans_the_dockerfile_and_reports_its_line(tree_copy, schemas):
    dockerfile = tree_copy / "model-src/Dockerfile"
    edit(dockerfile, "USER 10001:10001\n", "")
    problems = check(paths=[dockerfile], repo=tree_copy, trivy=True)
    assert any(
        p.startswith("model-src/Dockerfile: Dockerfile/model-src: trivy AVD-DS-0002") and "HIGH" in p
        for p in problems
    )


def test_a_path_that_does_not_exist_is_bad_input(tree_copy, schemas):
    with pytest.raises(InputError, match="no such file or directory"):
        check(paths=[tree_copy / "nope"], repo=tree_copy, trivy=False)


def test_an_unknown_environment_is_bad_input(repo_root, schemas):
    with pytest.raises(InputError, match="unknown environment qa"):
        check(envs=["qa"], repo=repo_root, trivy=False)


def test_a_missing_schema_folder_is_bad_input_naming_the_override(repo_root, monkeypatch, tmp_path: Path):
    monkeypatch.setenv("READMIT_CRD_SCHEMAS", str(tmp_path / "absent"))
    with pytest.raises(InputError, match="READMIT_CRD_SCHEMAS"):
        check(repo=repo_root, trivy=False)


def test_a_yaml_document_that_is_not_an_object_is_reported_and_does_not_break_the_scan(tree_copy, schemas):
    # Beside a real object a stray document is a finding (exit 1); a file with no object at all is bad
    # input (exit 2, see test_cli).
    (_scratch(tree_copy) / "list.yaml").write_text(
        "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: scratch\n---\n- just\n- a list\n",
        encoding="utf-8",
    )
    problems = check(paths=[tree_copy / "scratch"], repo=tree_copy, trivy=True)
    assert problems == [
        "scratch/list.yaml: ?/?: .: not a Kubernetes object (apiVersion and kind are required)"
    ]


def test_a_file_without_any_object_in_a_folder_is_an_input_error(tree_copy, schemas):
    (_scratch(tree_copy) / "list.yaml").write_text("- just\n- a list\n", encoding="utf-8")
    with pytest.raises(InputError, match="list.yaml: 1 YAML document.*no Kubernetes object"):
        check(paths=[tree_copy / "scratch"], repo=tree_copy, trivy=False)


class StartedScan:
    """Stands in for a trivy scan started early: its input and the findings it will report."""

    def __init__(self, given, findings):
        self.input, self.findings = given, findings

    def result(self):
        return list(self.findings)


def test_a_scan_started_early_on_the_same_input_is_used_and_trivy_is_not_started_again(
    tree_copy, schemas, monkeypatch
):
    overlay = tree_copy / "environments/dev"
    early = StartedScan(trivy_input([overlay], tree_copy), ["early finding"])

    def no_second_start(given):
        raise AssertionError("trivy started again although the early scan's input is the same")

    monkeypatch.setattr(manifests_check, "start_trivy", no_second_start)
    assert check(paths=[overlay], repo=tree_copy, early=early) == ["early finding"]


def test_a_scan_started_early_on_other_input_is_not_used(tree_copy, schemas, monkeypatch):
    overlay = tree_copy / "environments/dev"
    early = StartedScan(trivy_input([overlay], tree_copy), ["stale finding"])
    edit(tree_copy / "apps/readmission/pdb.yaml", "  minAvailable: 1", "  minAvailable: 2")
    started = []

    @contextlib.contextmanager
    def fresh_start(given):
        started.append(given)
        yield StartedScan(given, [])

    monkeypatch.setattr(manifests_check, "start_trivy", fresh_start)
    assert check(paths=[overlay], repo=tree_copy, early=early) == []
    assert started and started[0] == trivy_input([overlay], tree_copy) != early.input
