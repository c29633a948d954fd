"""Promotion and rollback as pure state changes."""

from __future__ import annotations

import pytest

from readmit.envs.state import EnvState
from readmit.errors import InputError
from readmit.promote.transitions import promote, rollback_target

A = {"readmit.io/model-version": "x"}


def test_full_makes_the_version_the_only_one_at_100():
    state = promote(EnvState({1: A, 2: A}, {1: 80, 2: 20}, 1), 3, A, None)
    assert (state.weights, state.default, list(state.annotations)) == ({3: 100}, 3, [3])


def test_a_canary_keeps_the_stable_version_as_rollback_target():
    state = promote(EnvState({1: A}, {1: 100}, 1), 2, A, 20)
    assert (state.weights, state.default, state.canary) == ({1: 80, 2: 20}, 1, 2)


def test_a_new_canary_replaces_the_running_one():
    state = promote(EnvState({1: A, 2: A}, {1: 80, 2: 20}, 1), 3, A, 10)
    assert state.weights == {1: 90, 3: 10}


def test_a_canary_needs_a_stable_version_to_share_with():
    with pytest.raises(InputError, match="no live version to share traffic with"):
        promote(EnvState(), 1, A, 10)


def test_rollback_of_a_canary_drops_it():
    assert rollback_target(EnvState({1: A, 2: A}, {1: 80, 2: 20}, 1), []) == (1, 2)


def test_rollback_of_a_full_version_restores_the_last_other_full_one():
    history = [
        EnvState({1: A}, {1: 100}, 1),
        EnvState({1: A, 2: A}, {1: 50, 2: 50}, 1),
        EnvState({2: A}, {2: 100}, 2),
    ]
    assert rollback_target(history[-1], history) == (1, 2)


def test_rollback_of_the_first_version_is_refused():
    with pytest.raises(InputError, match="first version that ran here"):
        rollback_target(EnvState({1: A}, {1: 100}, 1), [EnvState({1: A}, {1: 100}, 1)])
