"""The fast models.yaml reader agrees with the YAML parser, and declines what it does not know."""

from __future__ import annotations

import pytest

from readmit.envs import _fastread
from readmit.envs.state import HEADER, EnvState, dump, parse


def quick_parse(text: str) -> EnvState | None:
    """The private fast path that `parse` tries first, alone."""
    fast = _fastread.read(text, HEADER)
    return None if fast is None else EnvState(*fast)


NOTES = {
    "readmit.io/model-version": "7",
    "readmit.io/mlflow-run": "0123abcd",
    "readmit.io/gate-result": "passed",
    "readmit.io/metrics": "auprc=0.2100,roc_auc=0.6800",
    "readmit.io/model-digest": "sha256:" + "a" * 64,
}


@pytest.mark.parametrize(
    "state",
    [
        EnvState(),
        EnvState({7: NOTES}, {7: 100}, 7),
        EnvState({6: {**NOTES, "readmit.io/model-version": "6"}, 7: NOTES}, {6: 90, 7: 10}, 6),
        EnvState(
            {7: {**NOTES, "readmit.io/gate-result": "true"}}, {7: 100}, 7
        ),  # quoted so it stays a string
    ],
)
def test_promote_output_reads_the_same_as_with_yaml(state):
    text = dump(state)
    assert quick_parse(text) == parse(text) == state


@pytest.mark.parametrize(
    "edit",
    [
        lambda t: t.replace("weight: 100", "weight: 100  # bumped"),
        lambda t: t.replace("kind: Experiment", "kind: Experiment\nextra: {a: 1}"),
        lambda t: t.replace("name: readmission\n", "name: other\n"),
        lambda t: t.replace("# Written by", "# Edited by"),
    ],
)
def test_anything_unusual_is_left_to_the_yaml_parser(edit):
    assert quick_parse(edit(dump(EnvState({7: NOTES}, {7: 100}, 7)))) is None
