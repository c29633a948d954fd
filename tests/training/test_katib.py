import json

import jsonschema
import optuna
import pytest
import yaml

from readmit.errors import InputError
from readmit.training import katib

IMAGE = "ghcr.io/readmit/readmit@sha256:" + "0" * 64


@pytest.fixture(scope="module")
def experiment_file(repo_root):
    return repo_root / "apps" / "katib" / "readmission-tuning.yaml"


def test_experiment_validates_against_the_katib_crd_schema(experiment_file, crd_schema_dir):
    doc = yaml.safe_load(experiment_file.read_text())
    schema = json.loads((crd_schema_dir / "kubeflow.org" / "experiment_v1beta1.json").read_text())
    jsonschema.validate(doc, schema)
    assert doc["apiVersion"] == "kubeflow.org/v1beta1" and doc["kind"] == "Experiment"


def test_trial_pod_runs_the_pinned_image_under_the_workload_rules(experiment_file):
    doc = yaml.safe_load(experiment_file.read_text())
    spec = doc["spec"]
    pod = spec["trialTemplate"]["trialSpec"]["spec"]["template"]["spec"]
    (container,) = pod["containers"]
    assert container["name"] == spec["trialTemplate"]["primaryContainerName"]
    assert container["image"] == IMAGE
    assert container["command"][:2] == ["readmit", "train"]
    security = container["securityContext"]
    assert security["runAsNonRoot"] and security["readOnlyRootFilesystem"]
    assert security["allowPrivilegeEscalation"] is False and security["capabilities"]["drop"] == ["ALL"]
    assert container["resources"]["requests"] and container["resources"]["limits"]
    assert spec["metricsCollectorSpec"]["collector"]["kind"] == "StdOut"
    references = {p["reference"] for p in spec["trialTemplate"]["trialParameters"]}
    assert references == {p["name"] for p in spec["parameters"]}


def test_kustomization_renders_the_experiment(repo_root):
    import shutil
    import subprocess

    if shutil.which("kubectl") is None:
        pytest.skip("kubectl not on PATH (make setup checks for it)")
    out = subprocess.run(
        ["kubectl", "kustomize", str(repo_root / "apps" / "katib")],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert yaml.safe_load(out)["metadata"]["name"] == "readmission-tuning"


def test_tune_reads_space_objective_algorithm_and_budget_from_the_file(experiment_file):
    exp = katib.load(experiment_file)
    assert exp.objective == "val_roc_auc" and exp.direction == "maximize"
    assert exp.algorithm == "tpe" and exp.max_trials == 20
    assert exp.subsample == 40000 and exp.fixed == {"epochs": "3"}
    names = {p["name"] for p in exp.space}
    assert {"learning_rate", "num_leaves", "hidden", "lr"} <= names
    study = optuna.create_study(sampler=optuna.samplers.RandomSampler(seed=0))
    values = katib.suggest(study.ask(), exp.space)
    assert 0.02 <= values["learning_rate"] <= 0.15 and values["hidden"] in (16.0, 32.0, 64.0)


def test_an_unsupported_algorithm_is_refused(tmp_path, experiment_file):
    doc = yaml.safe_load(experiment_file.read_text())
    doc["spec"]["algorithm"]["algorithmName"] = "hyperband"
    path = tmp_path / "exp.yaml"
    path.write_text(yaml.safe_dump(doc))
    with pytest.raises(InputError, match="hyperband"):
        katib.load(path)
