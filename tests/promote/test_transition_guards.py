"""The guards of the pure transitions, which pipelines and the demo reach without the CLI's option types."""

from __future__ import annotations

import copy

import pytest

from readmit.envs.state import EnvState
from readmit.errors import InputError
from readmit.promote.transitions import promote, rollback_target, shadow

A, B = {"readmit.io/model-version": "a"}, {"readmit.io/model-version": "b"}
STABLE = EnvState({1: A}, {1: 100}, 1)


@pytest.mark.parametrize("weight", [0, -5, 101, 150])
def test_a_canary_weight_outside_1_to_99_is_refused(weight):
    with pytest.raises(InputError, match=rf"--weight {weight}: a canary weight is between 1 and 99"):
        promote(STABLE, 2, B, weight)


@pytest.mark.parametrize(("weight", "stable_share"), [(1, 99), (99, 1), (50, 50)])
def test_the_edges_of_the_canary_range_are_accepted(weight, stable_share):
    state = promote(STABLE, 2, B, weight)
    assert state == EnvState({1: A, 2: B}, {1: stable_share, 2: weight}, 1)


def test_weight_100_is_a_full_promotion():
    assert promote(STABLE, 2, B, 100) == EnvState({2: B}, {2: 100}, 2)


def test_the_stable_version_cannot_be_its_own_canary():
    with pytest.raises(InputError, match="--weight 20: version 1 is already the stable version here"):
        promote(STABLE, 1, B, 20)


def test_a_canary_without_a_stable_version_names_the_fix():
    with pytest.raises(InputError, match="--weight 10: no live version .* promote with --full first"):
        promote(EnvState(), 1, A, 10)


def test_transitions_do_not_change_the_state_they_are_given():
    before = EnvState({1: A, 2: A}, {1: 80, 2: 20}, 1)
    promote(before, 3, B, 10)
    promote(before, 3, B, None)
    assert before == EnvState({1: A, 2: A}, {1: 80, 2: 20}, 1)


def test_rollback_walks_the_history_newest_first():
    history = [EnvState({v: A}, {v: 100}, v) for v in (1, 2, 3)]
    assert rollback_target(history[-1], history) == (2, 3)


def test_rollback_skips_states_where_the_version_shared_traffic_or_nothing_ran():
    history = [
        EnvState({1: A}, {1: 100}, 1),
        EnvState({1: A, 2: A}, {1: 90, 2: 10}, 1),
        EnvState(),
        EnvState({2: A}, {2: 100}, 2),
        EnvState({2: A, 3: A}, {2: 50, 3: 50}, 2),
        EnvState({3: A}, {3: 100}, 3),
    ]
    assert rollback_target(history[-1], history) == (2, 3)
    assert rollback_target(history[3], history[:4]) == (1, 2)


def test_nothing_live_cannot_be_rolled_back():
    with pytest.raises(InputError, match="rollback: no version is live in this environment"):
        rollback_target(EnvState(), [STABLE])


def test_a_running_canary_is_dropped_whatever_the_history():
    state = EnvState({1: A, 4: B}, {1: 70, 4: 30}, 1)
    assert rollback_target(state, [EnvState({2: A}, {2: 100}, 2)]) == (1, 4)


def test_the_first_version_error_names_it():
    with pytest.raises(InputError, match="version 1 is the first version that ran here"):
        rollback_target(STABLE, [])


def test_the_nothing_live_message_is_exactly_one_line():
    with pytest.raises(InputError) as err:
        rollback_target(EnvState(), [])
    assert str(err.value) == "rollback: no version is live in this environment; nothing to roll back"


C = {"readmit.io/model-version": "c"}
# A canary (v2 beside v1) that an older shadow (v5 at 20%) watches.
CANARY_WATCHED = EnvState({1: A, 2: B}, {1: 90, 2: 10}, 1, 5, 20)


@pytest.mark.parametrize(
    ("state", "version", "percent", "expected"),
    [
        (CANARY_WATCHED, 3, 1, EnvState({1: A, 2: B, 3: C}, {1: 90, 2: 10}, 1, 3, 1)),
        (CANARY_WATCHED, 3, 100, EnvState({1: A, 2: B, 3: C}, {1: 90, 2: 10}, 1, 3, 100)),
        (STABLE, 2, 25, EnvState({1: A, 2: C}, {1: 100}, 1, 2, 25)),
    ],
)
def test_a_shadow_mirrors_a_share_of_requests_beside_the_live_versions(state, version, percent, expected):
    before = copy.deepcopy(state)
    assert shadow(state, version, C, percent) == expected
    assert state == before  # the state in is left alone


@pytest.mark.parametrize(
    ("state", "version", "percent", "message"),
    [
        (STABLE, 2, 0, "--mirror 0: a mirror share is between 1 and 100 percent"),
        (STABLE, 2, 101, "--mirror 101: a mirror share is between 1 and 100 percent"),
        (EnvState(), 1, 10, "--mirror 10: no live version to mirror; promote with --full first"),
        (EnvState(), 2, 10, "--mirror 10: no live version to mirror; promote with --full first"),
        (STABLE, 1, 10, "--mirror 10: version 1 already answers traffic here"),
    ],
)
def test_a_shadow_is_refused_with_one_line_saying_why(state, version, percent, message):
    with pytest.raises(InputError) as err:
        shadow(state, version, B, percent)
    assert str(err.value) == message
