"""The `argocd` policy's RollingSync rule on the places samples cannot isolate: an automated block in
`spec.template` also trips the prod rule (the template stands for prod too), so a sample would break two."""

from __future__ import annotations

import copy

import pytest

from readmit.policy import engine

APPSET = {
    "apiVersion": "argoproj.io/v1alpha1",
    "kind": "ApplicationSet",
    "metadata": {"name": "readmission", "namespace": "argocd"},
    "spec": {
        "generators": [{"list": {"elements": [{"env": "dev"}]}}],
        "strategy": {"type": "RollingSync", "rollingSync": {"steps": []}},
        "template": {
            "metadata": {"name": "readmission-{{ .env }}"},
            "spec": {
                "project": "readmission",
                "source": {
                    "repoURL": "https://git.hospital.example/mlops/readmit.git",
                    "path": "environments",
                },
                "destination": {"name": "nonprod", "namespace": "readmission-{{ .env }}"},
                "syncPolicy": {"automated": {"prune": True, "selfHeal": True}},
            },
        },
    },
}


@pytest.fixture(scope="module")
def policy(repo_root):
    return engine.get("argocd", repo_root)


def _messages(policy, appset: dict) -> list[str]:
    return engine.evaluate(policy, {"objects": [appset], "context": {}})


def test_rollingsync_with_an_automated_template_is_dead_configuration(policy):
    messages = _messages(policy, APPSET)
    assert any(
        m.startswith("ApplicationSet/readmission: spec.template sets syncPolicy.automated") for m in messages
    )
    assert any("autosync disabled" in m for m in messages)


def test_the_same_template_under_allatonce_is_not_dead_configuration(policy):
    appset = copy.deepcopy(APPSET)
    appset["spec"]["strategy"] = {"type": "AllAtOnce"}
    assert not any("dead configuration" in m for m in _messages(policy, appset))


def test_a_templatepatch_that_only_mentions_automation_in_a_value_is_allowed(policy):
    appset = copy.deepcopy(APPSET)
    del appset["spec"]["template"]["spec"]["syncPolicy"]
    appset["spec"]["templatePatch"] = (
        'metadata:\n  annotations:\n    note: "not automated: synced by RollingSync"\n'
    )
    assert _messages(policy, appset) == []
