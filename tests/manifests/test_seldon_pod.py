"""merge_pod_specs / merge_containers / update_capabilities against the cases of Seldon's own tests
(SeldonIO/seldon-core v2 @7b77f8b, operator/controllers/reconcilers/server/server_reconciler_test.go:
TestMergePodSpecs, TestMergeContainers, TestUpdateServerCapabilities), plus the mergo v1.0.0 rules
(WithOverride, WithAppendSlice) those cases do not reach."""

from __future__ import annotations

import pytest

from readmit.manifests.seldon_pod import merge_containers, merge_pod_specs, mergo, update_capabilities

# TestMergePodSpecs
C1 = {"name": "c1", "image": "myimagec1:1", "command": ["cmd"]}


@pytest.mark.parametrize(
    ("override", "expected"),
    [
        pytest.param(None, {"containers": [C1], "nodeName": "node"}, id="NoOverride"),
        pytest.param(
            {
                "containers": [{"name": "c2", "image": "myimagec2:2", "command": ["cmd2"]}],
                "nodeName": "node2",
            },
            {
                "containers": [{"name": "c2", "image": "myimagec2:2", "command": ["cmd2"]}, C1],
                "nodeName": "node2",
            },
            id="Override with new container",
        ),
        pytest.param(
            {"containers": [{"name": "c1", "image": "myimagec2:2"}], "nodeName": "node2"},
            {"containers": [{"name": "c1", "image": "myimagec2:2", "command": ["cmd"]}], "nodeName": "node2"},
            id="Override with existing container",
        ),
    ],
)
def test_merge_pod_specs_as_seldons_test_merge_pod_specs(override, expected):
    server_config = {"containers": [C1], "nodeName": "node"}
    assert merge_pod_specs(server_config, override) == expected
    assert server_config == {"containers": [C1], "nodeName": "node"}, "the ServerConfig is not changed"


# TestMergeContainers
@pytest.mark.parametrize(
    ("existing", "override", "expected"),
    [
        pytest.param(
            [{"name": "c1", "image": "imagec1"}],
            [{"name": "c2", "image": "imagec2"}],
            [{"name": "c2", "image": "imagec2"}, {"name": "c1", "image": "imagec1"}],
            id="different containers",
        ),
        pytest.param(
            [{"name": "c1", "image": "imagec1", "command": ["cmd"]}],
            [{"name": "c1", "image": "imagec2", "args": ["arg"]}],
            [{"name": "c1", "image": "imagec2", "command": ["cmd"], "args": ["arg"]}],
            id="same container",
        ),
        pytest.param(
            [{"name": "c1", "image": "imagec1"}, {"name": "c2", "image": "imagec2"}],
            [{"name": "c1", "image": "imagec2"}, {"name": "c3", "image": "imagec3"}],
            [
                {"name": "c1", "image": "imagec2"},
                {"name": "c3", "image": "imagec3"},
                {"name": "c2", "image": "imagec2"},
            ],
            id="mix of containers",
        ),
    ],
)
def test_merge_containers_as_seldons_test_merge_containers(existing, override, expected):
    assert merge_containers(existing, override) == expected


# TestUpdateServerCapabilities
@pytest.mark.parametrize(
    ("capabilities", "extra", "expected"),
    [
        pytest.param([], ["bar"], "foo,bar", id="add extra capability"),
        pytest.param(["bar1", "bar2"], [], "bar1,bar2", id="set capabilities"),
        pytest.param(["bar1", "bar2"], ["zed"], "bar1,bar2", id="capabilities take precedence"),
        pytest.param([], [], "foo", id="no new capability"),
    ],
)
def test_update_capabilities_as_seldons_test(capabilities, extra, expected):
    pod = {"containers": [{"name": "c1", "env": [{"name": "SELDON_SERVER_CAPABILITIES", "value": "foo"}]}]}
    update_capabilities(pod, capabilities, extra)
    assert pod["containers"][0]["env"] == [{"name": "SELDON_SERVER_CAPABILITIES", "value": expected}]


def test_every_list_is_appended_to_never_merged_by_key():
    base = {"env": [{"name": "A", "value": "1"}], "args": ["--x=1"], "ports": [{"containerPort": 80}]}
    override = {"env": [{"name": "A", "value": "2"}], "args": ["--x=2"], "ports": [{"containerPort": 80}]}
    assert mergo(base, override) == {
        "env": [{"name": "A", "value": "1"}, {"name": "A", "value": "2"}],
        "args": ["--x=1", "--x=2"],
        "ports": [{"containerPort": 80}, {"containerPort": 80}],
    }


def test_a_scalar_is_overridden_unless_the_override_is_empty():
    base = {"securityContext": {"readOnlyRootFilesystem": True, "runAsUser": 1000}, "workingDir": "/w"}
    override = {"securityContext": {"readOnlyRootFilesystem": False, "runAsUser": 0}, "workingDir": ""}
    assert mergo(base, override) == base


def test_a_field_the_server_config_lacks_takes_the_override_even_when_empty():
    # A nil pointer (*bool) in the ServerConfig is set to the override's pointer, false included.
    assert mergo({}, {"automountServiceAccountToken": False}) == {"automountServiceAccountToken": False}


def test_objects_and_maps_merge_field_by_field():
    base = {"resources": {"requests": {"cpu": "200m", "memory": "100M"}, "limits": {"memory": "256M"}}}
    override = {"resources": {"requests": {"cpu": "100m"}, "limits": {"cpu": "500m"}}}
    assert mergo(base, override) == {
        "resources": {
            "requests": {"cpu": "100m", "memory": "100M"},
            "limits": {"memory": "256M", "cpu": "500m"},
        }
    }


@pytest.mark.parametrize(
    ("config_port", "override_port", "merged"),
    [
        pytest.param("server-http", 9000, "server-http", id="an int over a name keeps the name"),
        pytest.param(9000, "server-http", "server-http", id="a name over an int wins"),
        pytest.param(9000, 9001, 9001, id="int over int"),
        pytest.param("a", "b", "b", id="name over name"),
    ],
)
def test_a_probe_port_is_an_int_or_string_merged_field_by_field(config_port, override_port, merged):
    probe = {"httpGet": {"path": "/live", "port": config_port}}
    assert mergo(probe, {"httpGet": {"port": override_port}})["httpGet"]["port"] == merged


def test_a_second_probe_handler_is_added_beside_the_first_not_instead():
    config = {"exec": {"command": ["rclone", "rc", "rc/noop"]}, "periodSeconds": 5}
    assert mergo(config, {"tcpSocket": {"port": 5572}}) == {**config, "tcpSocket": {"port": 5572}}
