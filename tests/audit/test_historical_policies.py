"""Policies on historical commits: one document per distinct canonical input, real versions in messages."""

from __future__ import annotations

import itertools

from readmit.audit.historical_policies import _canonical, _shape, policy_failures
from readmit.envs.log import Commit
from readmit.envs.state import EnvState
from readmit.envs.timeline import Change

VERSION = "readmit.io/model-version"


def notes(v, **extra) -> dict:
    return {VERSION: str(v), "readmit.io/mlflow-run": f"run{v}", **extra}


STATES = [
    EnvState({3: notes(3)}, {3: 100}, 3),
    EnvState({7: notes(7)}, {7: 100}, 7),  # the same shape as version 3
    EnvState({3: notes(3), 4: notes(4)}, {3: 80, 4: 20}, 3),
    EnvState({5: notes(5), 9: notes(9)}, {5: 80, 9: 20}, 5),  # the same shape as 3 and 4
    EnvState({3: notes(3), 4: notes(4)}, {3: 50, 4: 50}, 3),
    EnvState({3: notes(4)}, {3: 100}, 3),  # its version annotation names another version
    EnvState({3: notes(2)}, {3: 100}, 3),  # ... one ranked before it
    EnvState({3: notes(3, **{"readmit.io/gate-result": ""})}, {3: 100}, 3),  # an annotation without value
    EnvState({3: {"readmit.io/mlflow-run": "r", VERSION: "3"}}, {3: 100}, 3),  # keys in another order
    EnvState({3: {VERSION: "three"}}, {3: 100}, 3),  # not a number
    EnvState({3: {VERSION: None}}, {3: 100}, 3),
    EnvState({3: {VERSION: 3}}, {3: 100}, 3),  # an int, as the YAML fallback may read it
    EnvState({}, {3: 100}, 3),  # a candidate without its Model
]


ORDER = ["dev", "staging", "prod"]


def change(state: EnvState, env: str = "dev", sha: str = "c") -> Change:
    commit = Commit(sha, (), "Pat <p@x>", "t", "Pat <p@x>", "t", "s", {}, ())
    return Change(env, commit, state, None, "t", "", "hand-edit")


def test_two_states_share_a_shape_exactly_when_their_canonical_models_and_candidates_are_equal():
    for a, b in itertools.product(STATES, repeat=2):
        objects = [_canonical(change(s), None, {}, ORDER)["objects"] for s in (a, b)]
        models = [[o for o in objs if o["kind"] == "Model"] for objs in objects]
        candidates = [objs[-1]["spec"]["candidates"] for objs in objects]
        same = repr(models[0]) == repr(models[1]) and candidates[0] == candidates[1]
        assert (_shape(a)[0] == _shape(b)[0]) == same, (a, b)


def test_one_document_per_distinct_input_and_messages_name_the_real_versions():
    sent = []

    def evaluate(names, documents):
        sent.extend(documents)
        # a message for every document that names its first Model (the canonical alias of a version)
        return [[[f"{d['objects'][0]['metadata']['name']} denied"] for d in documents] for _ in names]

    history = [change(s, sha=f"c{i}") for i, s in enumerate(STATES[:4])]
    history.append(change(STATES[0], env="prod", sha="c9"))
    found = policy_failures(history, {"dev": "50"}, ORDER, evaluate)
    # 3 then 7 alone at 100% in dev: one document (only the document's own versions are in its context);
    # the two canaries differ by which version ran alone before; prod's context has both envs.
    assert len(sent) == len({repr(d) for d in sent}) == 4
    by_commit = {(a.commit, a.message) for a in found}
    assert ("c0", "seldon-rollout: readmission-v3 denied") in by_commit
    assert ("c1", "seldon-rollout: readmission-v7 denied") in by_commit
    assert ("c3", "promotion: readmission-v5 denied") in by_commit
    assert len(found) == 2 * len(history)
    # the promotion order reaches the policies as each document's previous environment
    assert all(d["context"]["previous_envs"] == {"staging": "dev", "prod": "staging"} for d in sent)
