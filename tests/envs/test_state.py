"""environments/<env>/models.yaml: deterministic bytes, round trip, and the committed bootstrap file."""

from __future__ import annotations

import pytest

from readmit.envs.state import HEADER, EnvState, dump, parse
from readmit.errors import InputError

NOTES = {
    "readmit.io/model-version": "3",
    "readmit.io/mlflow-run": "abc",
    "readmit.io/model-digest": "sha256:1",
    "readmit.io/data-version": "sha256:2",
    "readmit.io/metrics": "auprc=0.2100,roc_auc=0.6800",
    "readmit.io/gate-result": "passed",
}

CANARY = """# Written by readmit promote; do not edit by hand.
apiVersion: mlops.seldon.io/v1alpha1
kind: Model
metadata:
  annotations:
    readmit.io/model-version: '2'
  name: readmission-v2
spec:
  requirements:
  - readmit
  storageUri: s3://readmit-models/readmission/2
---
apiVersion: mlops.seldon.io/v1alpha1
kind: Model
metadata:
  annotations:
    readmit.io/model-version: '3'
  name: readmission-v3
spec:
  requirements:
  - readmit
  storageUri: s3://readmit-models/readmission/3
---
apiVersion: mlops.seldon.io/v1alpha1
kind: Experiment
metadata:
  name: readmission
spec:
  candidates:
  - name: readmission-v2
    weight: 80
  - name: readmission-v3
    weight: 20
  default: readmission-v2
  resourceType: model
"""


def test_no_live_version_is_the_header_alone_like_the_committed_files(repo_root):
    assert dump(EnvState()) == HEADER
    for env in ("dev", "staging", "prod"):
        assert (repo_root / "environments" / env / "models.yaml").read_text() == HEADER


def test_a_canary_is_written_byte_for_byte_in_stable_order():
    state = EnvState(
        {3: {"readmit.io/model-version": "3"}, 2: {"readmit.io/model-version": "2"}}, {3: 20, 2: 80}, 2
    )
    assert dump(state) == CANARY


def test_parse_reads_back_what_dump_wrote():
    state = EnvState({3: NOTES}, {3: 100}, 3)
    assert parse(dump(state)) == state
    assert parse(CANARY).canary == 3


def test_a_model_not_named_readmission_vN_is_refused_with_the_file_name():
    with pytest.raises(InputError, match=r"^environments/dev/models.yaml: model name 'scorer'"):
        parse(CANARY.replace("readmission-v3", "scorer"), "environments/dev/models.yaml")
