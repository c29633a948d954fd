from __future__ import annotations

import copy

from readmit.manifests.validate import validate

SERVICE = {
    "apiVersion": "v1",
    "kind": "Service",
    "metadata": {"name": "s"},
    "spec": {"selector": {"app": "x"}, "ports": [{"name": "http", "port": 80, "targetPort": 8080}]},
}
MODEL = {
    "apiVersion": "mlops.seldon.io/v1alpha1",
    "kind": "Model",
    "metadata": {"name": "m"},
    "spec": {"storageUri": "s3://b/m", "requirements": ["readmit"], "server": "readmission"},
}


def test_a_valid_core_object_and_a_valid_crd_object_have_no_problems(schemas):
    assert validate(SERVICE, schemas) == []
    assert validate(MODEL, schemas) == []


def test_core_kinds_use_strict_schemas_so_a_misspelt_nested_field_fails(schemas):
    bad = copy.deepcopy(SERVICE)
    bad["spec"]["ports"][0]["targetport"] = bad["spec"]["ports"][0].pop("targetPort")
    assert validate(bad, schemas) == [
        ("spec.ports[0].targetport", "unknown field (misspelt, or not in this apiVersion's schema)")
    ]


def test_every_error_of_an_object_is_reported_not_just_the_first(schemas):
    bad = copy.deepcopy(SERVICE)
    bad["spec"]["selectr"] = bad["spec"].pop("selector")
    bad["spec"]["ports"][0]["port"] = "eighty"
    fields = [f for f, _ in validate(bad, schemas)]
    assert "spec.selectr" in fields and "spec.ports[0].port" in fields


def test_a_crd_object_missing_a_required_field_fails(schemas):
    bad = copy.deepcopy(MODEL)
    del bad["spec"]["storageUri"]
    assert validate(bad, schemas) == [("spec", "'storageUri' is a required property")]


def test_a_kind_that_kubernetes_1_32_no_longer_serves_is_a_problem(schemas):
    old = {
        "apiVersion": "policy/v1beta1",
        "kind": "PodDisruptionBudget",
        "metadata": {"name": "p"},
        "spec": {},
    }
    assert validate(old, schemas) == [
        (
            "apiVersion",
            "policy/v1beta1 PodDisruptionBudget is not a Kubernetes 1.32 kind; check apiVersion and kind",
        )
    ]


def test_something_without_apiversion_or_kind_is_not_an_object(schemas):
    assert validate({"metadata": {"name": "x"}}, schemas) == [
        (".", "not a Kubernetes object (apiVersion and kind are required)")
    ]
