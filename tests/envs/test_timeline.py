"""Who approved, what kind of change, and what ran alone at 100%: from commits, without git."""

from __future__ import annotations

from readmit.envs.log import Commit, parse_trailers
from readmit.envs.state import HEADER, EnvState, dump
from readmit.envs.timeline import approvals, changes, ran_full

A = {"readmit.io/model-version": "1"}


def commit(
    sha, parents=(), trailers=None, models=None, committer="Pat <p@x>", when="2026-01-01T00:00:00+00:00"
):
    return Commit(
        sha, tuple(parents), "Pat <p@x>", when, committer, when, "s", trailers or {}, (), models or {}
    )


def test_a_merge_approves_the_side_it_brings_in_and_trailers_approve_their_commit():
    promote = commit("p1", ["base"], {"Model-Version": "1"})
    reviewed = commit("p2", ["p1"], {"Model-Version": "2", "Reviewed-by": "Rita <r@x>"})
    merge = commit("m1", ["base", "p1"], committer="Max Merger <m@x>", when="2026-01-02T00:00:00+00:00")
    got = approvals([promote, reviewed, merge])
    assert got == {
        "p1": ("Max Merger <m@x>", "2026-01-02T00:00:00+00:00"),
        "p2": ("Rita <r@x>", "2026-01-01T00:00:00+00:00"),
    }


def test_change_kinds_bootstrap_promote_hand_edit_rollback():
    history = [
        commit("c0", models={"dev": HEADER}),
        commit("c1", trailers={"Model-Version": "1"}, models={"dev": dump(EnvState({1: A}, {1: 100}, 1))}),
        commit(
            "c2", models={"dev": dump(EnvState({1: A}, {1: 100}, 1)).replace("weight: 100", "weight: 90")}
        ),
        commit("c3", trailers={"Model-Version": "1", "Rollback-Of": "2"}, models={"dev": HEADER}),
        commit("c4", models={"dev": None}),
    ]
    assert [(c.commit.sha, c.kind) for c in changes(history)] == [
        ("c0", "bootstrap"),
        ("c1", "promote"),
        ("c2", "hand-edit"),
        ("c3", "rollback"),
        ("c4", "hand-edit"),
    ]


def test_ran_full_counts_only_a_sole_candidate_at_100():
    history = [
        commit(
            "c1", trailers={"Model-Version": "1"}, models={"staging": dump(EnvState({1: A}, {1: 100}, 1))}
        ),
        commit(
            "c2",
            trailers={"Model-Version": "2"},
            models={
                "staging": dump(EnvState({1: A, 2: A}, {1: 80, 2: 20}, 1)),
                "dev": dump(EnvState({2: A}, {2: 100}, 2)),
            },
        ),
    ]
    assert ran_full(changes(history)) == {"dev": ["2"], "staging": ["1"]}


def test_trailers_keep_repeated_keys():
    assert parse_trailers("Reviewed-by: A\nReviewed-by: B\nReason: x: y\n") == {
        "Reviewed-by": "A; B",
        "Reason": "x: y",
    }
