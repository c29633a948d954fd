from __future__ import annotations

import copy

from readmit.manifests.containers import container_problems

IMAGE = "ghcr.io/readmit/readmit@sha256:" + "0" * 64
GOOD = {
    "name": "app",
    "image": IMAGE,
    "resources": {"requests": {"cpu": "100m", "memory": "64Mi"}, "limits": {"cpu": "1", "memory": "128Mi"}},
    "securityContext": {
        "runAsNonRoot": True,
        "readOnlyRootFilesystem": True,
        "allowPrivilegeEscalation": False,
        "capabilities": {"drop": ["ALL"]},
    },
    "livenessProbe": {"tcpSocket": {"port": 80}},
    "readinessProbe": {"tcpSocket": {"port": 80}},
}


def _deployment(container: dict, pod_security: dict | None = None) -> dict:
    pod = {"containers": [container], **({"securityContext": pod_security} if pod_security else {})}
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "d"},
        "spec": {"template": {"spec": pod}},
    }


def test_a_container_following_every_rule_has_no_problems():
    assert container_problems(_deployment(GOOD)) == []


def test_an_image_pinned_by_tag_only_is_reported():
    c = {**GOOD, "image": "ghcr.io/readmit/readmit:latest"}
    assert container_problems(_deployment(c)) == [
        (
            "spec.template.spec.containers[0].image",
            "image ghcr.io/readmit/readmit:latest is not pinned by digest (@sha256:<64 hex>)",
        )
    ]


def test_every_missing_security_setting_is_its_own_problem():
    c = {**GOOD, "securityContext": {}}
    fields = [
        f.rsplit(".", 1)[-1] if "capabilities" not in f else "drop"
        for f, _ in container_problems(_deployment(c))
    ]
    assert fields == ["runAsNonRoot", "readOnlyRootFilesystem", "allowPrivilegeEscalation", "drop"]


def test_run_as_non_root_may_come_from_the_pod_security_context():
    c = copy.deepcopy(GOOD)
    del c["securityContext"]["runAsNonRoot"]
    assert container_problems(_deployment(c, {"runAsNonRoot": True})) == []
    assert len(container_problems(_deployment(c))) == 1


def test_long_running_containers_need_probes_but_batch_jobs_do_not():
    c = {k: v for k, v in GOOD.items() if not k.endswith("Probe")}
    assert [f for f, _ in container_problems(_deployment(c))] == [
        "spec.template.spec.containers[0].livenessProbe",
        "spec.template.spec.containers[0].readinessProbe",
    ]
    job = {
        "apiVersion": "batch/v1",
        "kind": "Job",
        "metadata": {"name": "j"},
        "spec": {"template": {"spec": {"containers": [c]}}},
    }
    assert container_problems(job) == []


def test_containers_nested_in_custom_resources_are_checked_too():
    katib = {
        "apiVersion": "kubeflow.org/v1beta1",
        "kind": "Experiment",
        "metadata": {"name": "e"},
        "spec": {
            "trialTemplate": {
                "trialSpec": {"spec": {"template": {"spec": {"containers": [{**GOOD, "resources": {}}]}}}}
            }
        },
    }
    paths = [f for f, _ in container_problems(katib)]
    assert paths[0] == "spec.trialTemplate.trialSpec.spec.template.spec.containers[0].resources.requests.cpu"
    assert len(paths) == 4


def test_a_seldon_server_sidecar_override_without_image_keeps_the_serverconfig_image_but_not_other_rules():
    sidecar = {k: v for k, v in GOOD.items() if k not in ("image", "resources")}
    server = {
        "apiVersion": "mlops.seldon.io/v1alpha1",
        "kind": "Server",
        "metadata": {"name": "s"},
        "spec": {"serverConfig": "mlserver", "podSpec": {"containers": [GOOD, sidecar]}},
    }
    assert [f for f, _ in container_problems(server)][
        0
    ] == "spec.podSpec.containers[1].resources.requests.cpu"
    assert not any(f.endswith(".image") for f, _ in container_problems(server))
    deployment = _deployment({k: v for k, v in GOOD.items() if k != "image"})
    assert [f for f, _ in container_problems(deployment)] == ["spec.template.spec.containers[0].image"]


def test_fields_of_the_wrong_type_are_unset_not_a_crash():
    # Found by tests/hostile: the schema check reports these objects; the container rules must not crash.
    assert container_problems({"kind": ["Pod"], "spec": {}}) == []
    problems = container_problems(
        {
            "kind": "Pod",
            "spec": {
                "securityContext": "strict",
                "containers": [
                    {"name": "c", "resources": [1], "securityContext": {"capabilities": {"drop": 5}}}
                ],
            },
        }
    )
    assert ("spec.containers[0].securityContext.capabilities.drop", "must drop ALL capabilities") in problems
