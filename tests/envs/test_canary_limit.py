"""The canary limit lives on the environment's Namespace: read from the values file (the audit, no render)
and from a rendering (the canary arms), with the policy's reading of a missing one (0)."""

from __future__ import annotations

import pytest
import yaml

from readmit import envs
from readmit.envs import canary_limit
from readmit.envs.provenance import CANARY_LIMIT
from readmit.errors import InputError


def _namespace(name: str, **annotations: str) -> dict:
    return {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name, "annotations": annotations}}


def _server(**annotations: str) -> dict:
    return {
        "apiVersion": "mlops.seldon.io/v1alpha1",
        "kind": "Server",
        "metadata": {"name": "readmission", "annotations": annotations},
    }


def _values(tmp_path, docs: list[dict]):
    overlay = tmp_path / "environments" / "qa"
    overlay.mkdir(parents=True)
    (overlay / canary_limit.VALUES_FILE).write_text(yaml.safe_dump_all(docs), encoding="utf-8")
    return tmp_path


def test_every_environment_of_the_repo_sets_a_limit_in_its_values_file(repo_root):
    limits = {env: canary_limit.from_values(repo_root, env) for env in envs.names(repo_root)}
    assert all(isinstance(v, int) and 0 <= v <= 100 for v in limits.values()), limits


def test_the_values_file_is_read_from_the_namespace_only(tmp_path):
    repo = _values(
        tmp_path, [_server(**{CANARY_LIMIT: "50"}), _namespace("readmission-qa", **{CANARY_LIMIT: "30"})]
    )
    assert canary_limit.from_values(repo, "qa") == 30


def test_an_annotation_on_another_kind_sets_no_limit(tmp_path):
    repo = _values(tmp_path, [_server(**{CANARY_LIMIT: "50"}), _namespace("readmission-qa")])
    assert canary_limit.from_values(repo, "qa") is None
    assert canary_limit.from_values(repo, "missing-env") is None


@pytest.mark.parametrize("bad", ["ten", "150", "-5", "12.5"])
def test_a_limit_that_is_not_a_whole_percentage_is_one_input_error_naming_the_file(tmp_path, bad):
    repo = _values(tmp_path, [_namespace("readmission-qa", **{CANARY_LIMIT: bad})])
    with pytest.raises(InputError, match=rf"readmission-values.yaml: annotation {CANARY_LIMIT} is '{bad}'"):
        canary_limit.from_values(repo, "qa")


def test_the_rendered_limit_is_that_of_the_experiments_namespace_and_0_without_one():
    objects = [
        _namespace("readmission-qa", **{CANARY_LIMIT: "20"}),
        _namespace("other", **{CANARY_LIMIT: "90"}),
    ]
    assert canary_limit.rendered(objects, "readmission-qa", "environments/qa") == 20
    assert canary_limit.rendered(objects, "nowhere", "environments/qa") == 0
    assert canary_limit.rendered([_namespace("readmission-qa")], "readmission-qa", "environments/qa") == 0
    with pytest.raises(InputError, match=r"^environments/qa: Namespace/readmission-qa: annotation"):
        canary_limit.rendered(
            [_namespace("readmission-qa", **{CANARY_LIMIT: "x"})], "readmission-qa", "environments/qa"
        )
