"""`readmit policy check` on an overlay whose live Model's storage remote has no storage secret."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from readmit.cli import main
from readmit.manifests import render
from readmit.policy.check import check

HEADER = "# Written by readmit promote; do not edit by hand.\n"
PROVENANCE = {
    "readmit.io/model-version": "3",
    "readmit.io/mlflow-run": "run3",
    "readmit.io/model-digest": "sha256:" + "3" * 64,
    "readmit.io/data-version": "sha256:" + "d" * 64,
    "readmit.io/metrics": "auprc=0.2100,roc_auc=0.6800",
    "readmit.io/gate-result": "passed",
}


def _model(uri: str) -> dict:
    return {
        "apiVersion": "mlops.seldon.io/v1alpha1",
        "kind": "Model",
        "metadata": {"name": "readmission-v3", "annotations": PROVENANCE},
        "spec": {"storageUri": uri},
    }


def _experiment() -> dict:
    return {
        "apiVersion": "mlops.seldon.io/v1alpha1",
        "kind": "Experiment",
        "metadata": {"name": "readmission"},
        "spec": {"default": "readmission-v3", "candidates": [{"name": "readmission-v3", "weight": 100}]},
    }


@pytest.fixture
def repo_copy(repo_root: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "repo"
    for tree in ("apps", "environments", "policies"):
        shutil.copytree(repo_root / tree, copy / tree)
    (copy / "model-src").mkdir()
    return copy


def _plant(repo: Path, uri: str) -> None:
    docs = [_model(uri), _experiment()]
    (repo / "environments/dev/models.yaml").write_text(HEADER + yaml.safe_dump_all(docs, sort_keys=True))


def test_every_rendered_model_names_the_overlays_storage_secret(repo_copy):
    _plant(repo_copy, "s3://readmit-models/readmission/3")
    objects = render.render(repo_copy / "environments/dev")
    (model,) = [o for o in objects if o["kind"] == "Model"]
    secrets = [o for o in objects if o["kind"] == "ExternalSecret"]
    assert model["spec"]["secretName"] in {s["spec"]["target"]["name"] for s in secrets}
    assert check(envs=["dev"], repo=repo_copy, registry=False, ran_full={}) == []


def test_a_model_whose_remote_has_no_storage_secret_fails_the_policy_check(repo_copy):
    _plant(repo_copy, "minio://readmit-models/readmission/3")
    problems = check(envs=["dev"], repo=repo_copy, registry=False, ran_full={})
    assert problems == [
        "storage-secret: Model/readmission-v3: storage remote minio of storageUri has no storage secret: "
        "readmission-model-store defines remote s3 (environments/dev)"
    ]


def test_the_cli_exits_1_on_an_unknown_remote(repo_copy, monkeypatch, capsys):
    _plant(repo_copy, "gcs://elsewhere/readmission/3")
    monkeypatch.setenv("READMIT_REPO", str(repo_copy))
    monkeypatch.chdir(repo_copy)
    with pytest.raises(SystemExit) as exit_info:
        main(["policy", "check", "--no-registry", "--env", "dev"])
    assert exit_info.value.code == 1
    assert "storage remote gcs of storageUri has no storage secret" in capsys.readouterr().err
