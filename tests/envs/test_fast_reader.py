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


def _experiment_doc(state: EnvState) -> str:
    return dump(state).split("---\n")[-1]


@pytest.mark.parametrize(
    "state",
    [
        EnvState({7: NOTES}, {7: 100}, 7),
        EnvState({6: NOTES, 7: NOTES}, {6: 90, 7: 10}, 6),
        EnvState({6: NOTES, 12: NOTES}, {6: 0, 12: 100}, 12),
    ],
)
def test_the_one_match_for_an_experiment_reads_what_the_line_reader_reads(state):
    doc = _experiment_doc(state)
    assert _fastread._experiment(doc) == _fastread._document(doc) is not None


def test_an_experiment_in_another_shape_is_left_to_the_line_reader():
    doc = _experiment_doc(EnvState({7: NOTES}, {7: 100}, 7))
    assert _fastread._experiment(doc.replace("weight: 100", "weight: 100  # bumped")) is None
    mirrored = EnvState({6: NOTES, 7: NOTES}, {6: 100}, 6, mirror=7, mirror_percent=10)
    assert _fastread._experiment(_experiment_doc(mirrored)) is None
    assert quick_parse(dump(mirrored)) is None and parse(dump(mirrored)) == mirrored


def test_files_sharing_a_model_document_do_not_share_its_annotations():
    first = quick_parse(dump(EnvState({7: NOTES}, {7: 100}, 7)))
    second = quick_parse(dump(EnvState({7: NOTES}, {7: 90}, 7)))
    first.annotations[7]["readmit.io/gate-result"] = "edited"
    assert second.annotations[7] == NOTES
