"""Tekton's substitution forms (docs/variables.md), as plain string replacement."""

from __future__ import annotations

import pytest

from readmit.pipeline import substitute

VALUES = {
    "params.x": "X",
    "params.list": ["a", "b"],
    "tasks.t.results.r": "R",
    "results.out.path": "/run/t/results/out",
    "workspaces.src.path": "/ws/src",
    "context.pipelineRun.name": "run-1",
    "tasks.t.status": "Failed",
    "tasks.status": "Completed",
}


@pytest.mark.parametrize(
    "text, expected",
    [
        ("$(params.x)", "X"),
        ("$(params['x'])", "X"),
        ('$(params["x"])', "X"),
        ("v=$(tasks.t.results.r)!", "v=R!"),
        ("> $(results.out.path)", "> /run/t/results/out"),
        ("> $(results['out'].path)", "> /run/t/results/out"),
        ("cd $(workspaces.src.path)/sub", "cd /ws/src/sub"),
        ("$(context.pipelineRun.name)", "run-1"),
        ("$(tasks.t.status)/$(tasks.status)", "Failed/Completed"),
        ("now=$(date +%s) $(params.x)", "now=$(date +%s) X"),  # a shell substitution is not a variable
    ],
)
def test_each_form_is_replaced(text, expected):
    assert substitute.string(text, VALUES) == expected


def test_array_star_expands_a_whole_list_element():
    assert substitute.strings(["--a", "$(params.list[*])", "$(params['list'][*])"], VALUES) == [
        "--a",
        "a",
        "b",
        "a",
        "b",
    ]


def test_array_inside_a_string_is_an_error():
    with pytest.raises(substitute.Unresolved, match="array"):
        substitute.string("echo $(params.list[*])", VALUES)


def test_unknown_variable_is_an_error_naming_it():
    with pytest.raises(substitute.Unresolved) as err:
        substitute.string("$(params.nope)", VALUES)
    assert err.value.reference == "params.nope"


def test_result_refs_are_found_in_any_form():
    assert substitute.result_refs("$(tasks.a.results.x) $(tasks['b'].results.y) $(params.z)") == [
        ("a", "x"),
        ("b", "y"),
    ]
