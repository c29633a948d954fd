"""The canary schedule as the cluster wires it: the CronJob posts one request per environment, in
promotion order, to the EventListener's Service with the token from the Secret the trigger compares, and
the trigger starts the canary-analyze pipeline with that environment."""

from __future__ import annotations

import json
import re

import pytest
import yaml

from readmit import envs

TRIGGERS = "tekton/triggers"


@pytest.fixture(scope="module")
def objects(repo_root):
    found = {}
    for path in sorted((repo_root / TRIGGERS).glob("*.yaml")):
        for doc in yaml.safe_load_all(path.read_text()):
            found[(doc["kind"], doc["metadata"]["name"])] = doc
    return found


def _requests(cronjob: dict) -> list[list[str]]:
    """The curl arguments of each transfer (split at --next), global options in the first."""
    container = cronjob["spec"]["jobTemplate"]["spec"]["template"]["spec"]["containers"][0]
    assert container["command"] == ["curl"]
    parts, current = [], []
    for arg in container["args"]:
        if arg == "--next":
            parts.append(current)
            current = []
        else:
            current.append(arg)
    return [*parts, current]


def _value(args: list[str], option: str) -> str:
    return args[args.index(option) + 1]


def test_the_schedule_posts_each_environment_in_promotion_order(objects, repo_root):
    cronjob = objects[("CronJob", "canary-analyze-schedule")]
    posted = [json.loads(_value(args, "--data"))["env"] for args in _requests(cronjob)]
    assert posted == envs.names(repo_root)


def test_every_request_reaches_the_event_listener_with_the_token_header(objects):
    cronjob = objects[("CronJob", "canary-analyze-schedule")]
    listener = objects[("EventListener", "readmit-ci")]
    requests = _requests(cronjob)
    assert requests[0][:3] == ["--fail-early", "--variable", "%READMIT_TOKEN"]
    for args in requests:
        assert args[-1] == f"http://el-{listener['metadata']['name']}:8080"  # Triggers' Service name
        assert _value(args, "--expand-header") == "X-Readmit-Token: {{READMIT_TOKEN}}"
        assert _value(args, "--header") == "Content-Type: application/json"
        assert "--fail" in args and "--retry" in args
    container = cronjob["spec"]["jobTemplate"]["spec"]["template"]["spec"]["containers"][0]
    (token,) = [e for e in container["env"] if e["name"] == "READMIT_TOKEN"]
    secret = token["valueFrom"]["secretKeyRef"]
    (trigger,) = [t for t in listener["spec"]["triggers"] if t["name"] == "canary-analysis-on-schedule"]
    (cel,) = [p["value"] for i in trigger["interceptors"] for p in i["params"] if p["name"] == "filter"]
    assert f"compareSecret('{secret['key']}', '{secret['name']}')" in cel
    assert "has(body.env)" in cel


def test_the_trigger_starts_the_canary_pipeline_for_the_posted_environment(objects, repo_root):
    listener = objects[("EventListener", "readmit-ci")]
    (trigger,) = [t for t in listener["spec"]["triggers"] if t["name"] == "canary-analysis-on-schedule"]
    binding = objects[("TriggerBinding", trigger["bindings"][0]["ref"])]
    assert {"name": "ENV", "value": "$(body.env)"} in binding["spec"]["params"]
    template = objects[("TriggerTemplate", trigger["template"]["ref"])]
    (run,) = template["spec"]["resourcetemplates"]
    assert run["kind"] == "PipelineRun" and run["spec"]["pipelineRef"]["name"] == "canary-analyze"
    assert {"name": "ENV", "value": "$(tt.params.ENV)"} in run["spec"]["params"]
    logs = next(w for w in run["spec"]["workspaces"] if w["name"] == "inference-logs")
    assert logs["subPath"] == "$(tt.params.ENV)" and logs["persistentVolumeClaim"]["readOnly"] is True
    pipeline = yaml.safe_load(
        (repo_root / "tekton/pipelines/canary-analyze/0.1/canary-analyze.yaml").read_text()
    )
    bound = {w["name"] for w in run["spec"]["workspaces"]}
    assert {w["name"] for w in pipeline["spec"]["workspaces"]} == bound
    analyze = next(t for t in pipeline["spec"]["tasks"] if t["taskRef"]["name"] == "canary-analyze")
    assert {"name": "ENV", "value": "$(params.ENV)"} in analyze["params"]


def test_the_schedule_leaves_room_for_review_and_never_overlaps(objects):
    spec = objects[("CronJob", "canary-analyze-schedule")]["spec"]
    minute, hour, *rest = spec["schedule"].split()
    assert re.fullmatch(r"\d+", minute) and hour == "*/6" and rest == ["*", "*", "*"]
    assert spec["concurrencyPolicy"] == "Forbid" and spec["timeZone"] == "Etc/UTC"
    assert spec["jobTemplate"]["spec"]["backoffLimit"] == 0  # a re-run would post environments twice
