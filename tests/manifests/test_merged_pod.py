"""`readmit manifests check` judges each Seldon Server by the pod it becomes (its podSpec merged onto
Seldon's ServerConfig `mlserver` from ../shared/seldon), not by the override alone."""

from __future__ import annotations

import pytest
import yaml

from readmit.cli import main
from readmit.manifests.check import check, check_report
from readmit.manifests.containers import container_problems
from readmit.manifests.pod_rules import pod_problems
from readmit.manifests.servers import load_server_configs, merged
from readmit.serving import inference_log

from .conftest import edit

PREFIX = "apps/readmission/server.yaml: Server/readmission: merged pod (ServerConfig mlserver)"


def _server(rendered_objects: list[dict]) -> dict:
    (server,) = [o for o in rendered_objects if o["kind"] == "Server"]
    return server


def test_the_check_reports_each_overlays_merged_pod_and_passes(repo_root, schemas):
    report = check_report(repo=repo_root, trivy=False)
    assert report.problems == []
    for env in ("dev", "staging", "prod"):
        assert (
            f"Server/readmission in readmission-{env}: podSpec merged onto ServerConfig mlserver: "
            "containers mlserver, rclone, agent"
        ) in report.merged_pods


def test_the_cli_prints_the_merged_pods(repo_root, schemas, monkeypatch, capsys):
    monkeypatch.setenv("READMIT_REPO", str(repo_root))
    main(["manifests", "check", "--no-trivy", str(repo_root / "environments/dev")])
    out = capsys.readouterr().out
    assert (
        "checked merged pod: Server/readmission in readmission-dev: podSpec merged onto ServerConfig" in out
    )


SERVER = "apps/readmission/server.yaml"

# One edit of the Server's podSpec override, the folder checked, and exactly the problems of the merged pod.
BROKEN_OVERRIDES = [
    pytest.param(
        "      - name: rclone-config\n        emptyDir:\n          medium: Memory\n"
        "          sizeLimit: 1Mi\n",
        "",
        "apps/readmission",
        [
            f"{PREFIX}.containers[rclone].volumeMounts: mount /rclone names no volume rclone-config",
            f"{PREFIX}.containers[rclone].volumeMounts: rclone writes /rclone; mount a writable volume there",
        ],
        id="an_override_that_removes_a_needed_volume_fails",
    ),
    pytest.param(
        "          - name: rclone-config\n            mountPath: /rclone\n",
        "",
        "environments/prod",
        [f"{PREFIX}.containers[rclone].volumeMounts: rclone writes /rclone; mount a writable volume there"],
        id="an_override_that_drops_the_mount_where_rclone_writes_its_config_fails",
    ),
    pytest.param(
        '        command: ["readmit-mlserver"]\n',
        '        command: ["readmit-mlserver"]\n'
        "        ports:\n          - {name: http, containerPort: 9000}\n",
        "apps/readmission",
        [
            f"{PREFIX}.containers[*].ports: containerPort 9000 is declared 2 times in the pod",
            f"{PREFIX}.containers[*].ports: port name http is declared 2 times in the pod",
        ],
        id="an_override_that_duplicates_a_port_fails",
    ),
    pytest.param(
        "          - name: HOME\n            value: /tmp\n",
        "          - name: HOME\n            value: /tmp\n        args: [--config=/tmp/rclone.conf]\n",
        "apps/readmission",
        [f"{PREFIX}.containers[rclone].args: flag --config is given 2 times"],
        id="an_override_that_repeats_a_sidecar_flag_fails",
    ),
    pytest.param(
        "          - name: HOME\n            value: /tmp\n",
        "          - name: HOME\n            value: /tmp\n"
        "        livenessProbe:\n          tcpSocket: {port: 5572}\n",
        "apps/readmission",
        [f"{PREFIX}.containers[rclone].livenessProbe: has 2 handlers (exec, tcpSocket); only one is allowed"],
        id="a_second_probe_handler_on_a_sidecar_fails",
    ),
    pytest.param(
        "      - name: agent\n",
        "      - name: agent\n        image: ghcr.io/readmit/readmit@sha256:" + "0" * 64 + "\n",
        "apps/readmission",
        [
            f"{PREFIX}.containers[agent].image: Seldon's agent keeps its ServerConfig image; only mlserver "
            "runs the project's"
        ],
        id="the_project_image_on_a_seldon_sidecar_fails",
    ),
    pytest.param(
        "        env:\n          - name: READMIT_INFERENCE_LOG\n"
        "            value: /var/log/readmit/readmission.jsonl\n",
        "",
        "apps/readmission",
        [
            f"{PREFIX}.containers[mlserver].env: mlserver writes where READMIT_INFERENCE_LOG points; "
            "set it to an absolute file path on a writable volume"
        ],
        id="the_runtime_without_its_inference_log_path_fails",
    ),
    pytest.param(
        "value: /var/log/readmit/readmission.jsonl",
        "value: /var/lib/readmit/readmission.jsonl",
        "apps/readmission",
        [
            f"{PREFIX}.containers[mlserver].volumeMounts: mlserver writes /var/lib/readmit; mount a writable "
            "volume there"
        ],
        id="an_inference_log_off_any_writable_volume_fails",
    ),
]


@pytest.mark.parametrize(("old", "new", "where", "expected"), BROKEN_OVERRIDES)
def test_an_override_that_breaks_the_merged_pod_fails(tree_copy, schemas, old, new, where, expected):
    edit(tree_copy / SERVER, old, new)
    assert check(paths=[tree_copy / where], repo=tree_copy, trivy=False) == expected


def test_the_agent_without_an_api_token_fails(tree_copy, schemas):
    server_yaml = tree_copy / SERVER
    server = yaml.safe_load(server_yaml.read_text())
    (agent,) = [c for c in server["spec"]["podSpec"]["containers"] if c["name"] == "agent"]
    del agent["volumeMounts"]
    server_yaml.write_text(yaml.safe_dump(server, sort_keys=False))
    problems = check(paths=[tree_copy / "apps/readmission"], repo=tree_copy, trivy=False)
    assert problems == [
        f"{PREFIX}.containers[agent].volumeMounts: agent reads storage secrets: mount a token at "
        "/var/run/secrets/kubernetes.io/serviceaccount"
    ]


def test_the_override_alone_misjudges_the_pod_both_ways(tree_copy, seldon_config_dir):
    """Alone, the override misses a port clash the merge creates, and misses the probes the ServerConfig
    gives the containers: only the merged pod is what runs."""
    server = yaml.safe_load((tree_copy / SERVER).read_text())
    server["spec"]["podSpec"]["containers"][0]["ports"] = [{"name": "server-http", "containerPort": 9000}]
    alone = container_problems(server)
    assert not any("port" in m for _, m in alone)
    assert any(f.endswith("livenessProbe") for f, _ in alone)
    _, pod = merged(server, load_server_configs(seldon_config_dir))
    found = pod_problems(pod, ("mlserver-models",))
    assert [m for _, m in found] == [
        "containerPort 9000 is declared 2 times in the pod",
        "port name server-http is declared 2 times in the pod",
    ]


def test_the_service_monitor_scrapes_ports_of_the_merged_pod(rendered, seldon_config_dir):
    configs = load_server_configs(seldon_config_dir)
    for objects in rendered.values():
        _, pod = merged(_server(objects), configs)
        pod_ports = {p.get("name") for c in pod["containers"] for p in c.get("ports") or []}
        (service,) = [
            o for o in objects if o["kind"] == "Service" and o["metadata"]["name"] == "readmission-metrics"
        ]
        (monitor,) = [o for o in objects if o["kind"] == "ServiceMonitor"]
        service_ports = {p["name"]: p["targetPort"] for p in service["spec"]["ports"]}
        scraped = [e["port"] for e in monitor["spec"]["endpoints"]]
        assert scraped and all(service_ports[name] in pod_ports for name in scraped)
        assert {"metrics", "server-metrics"} <= set(scraped)
        # ... and the objects find each other: the monitor selects the Service (same namespace, as it
        # names no other), and the Service the pods Seldon's operator labels `seldon-server-name: <server>`
        # (operator/pkg/constants ServerLabelNameKey, put on the StatefulSet's pod template).
        labels = service["metadata"].get("labels") or {}
        assert monitor["spec"]["selector"]["matchLabels"].items() <= labels.items()
        assert "namespaceSelector" not in monitor["spec"]
        assert service["metadata"]["namespace"] == monitor["metadata"]["namespace"]
        server = _server(objects)
        assert service["spec"]["selector"] == {"seldon-server-name": server["metadata"]["name"]}


def test_the_merged_pod_gives_each_writer_a_writable_volume(rendered, seldon_config_dir):
    configs = load_server_configs(seldon_config_dir)
    _, pod = merged(_server(rendered["prod"]), configs)
    containers = {c["name"]: c for c in pod["containers"]}
    volumes = {v["name"]: v for v in pod["volumes"]}
    rclone_config = next(m for m in containers["rclone"]["volumeMounts"] if m["mountPath"] == "/rclone")
    assert volumes[rclone_config["name"]]["emptyDir"]["medium"] == "Memory"
    assert [m["mountPath"] for m in containers["agent"]["volumeMounts"]][0] == "/mnt/agent"
    assert not any(m["mountPath"] == "/tmp" for m in containers["agent"]["volumeMounts"])
    env = {e["name"]: e.get("value") for e in containers["mlserver"]["env"]}
    assert env["MLSERVER_LOAD_MODELS_AT_STARTUP"] == "false" and env["MLSERVER_PARALLEL_WORKERS"] == "1"
    agent_env = {e["name"]: e.get("value") for e in containers["agent"]["env"]}
    assert agent_env["SELDON_SERVER_CAPABILITIES"].split(",")[0] == "readmit"


def test_the_inference_log_has_a_volume_of_its_own_sized_for_its_rotation(rendered, seldon_config_dir):
    _, pod = merged(_server(rendered["prod"]), load_server_configs(seldon_config_dir))
    containers = {c["name"]: c for c in pod["containers"]}
    env = {e["name"]: e.get("value") for e in containers["mlserver"]["env"]}
    folder = env[inference_log.ENV].rsplit("/", 1)[0]
    (mount,) = [m for m in containers["mlserver"]["volumeMounts"] if m["mountPath"] == folder]
    assert not any(
        m["name"] == mount["name"] for c in ("rclone", "agent") for m in containers[c]["volumeMounts"]
    )
    (volume,) = [v for v in pod["volumes"] if v["name"] == mount["name"]]
    limit = volume["emptyDir"]["sizeLimit"]
    assert limit.endswith("Mi") and int(limit[:-2]) * 2**20 > inference_log.MAX_BYTES * (
        inference_log.BACKUPS + 1
    )
