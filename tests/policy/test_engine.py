"""The Rego engine runs in a subprocess; whatever goes wrong there is an error naming the policy."""

from __future__ import annotations

import sys

import pytest

from readmit.errors import InputError
from readmit.policy import engine


def _write_policy(root, name, body):
    (root / "policies" / name).mkdir(parents=True)
    (root / "policies" / "lib").mkdir(exist_ok=True)
    (root / "policies" / name / "policy.rego").write_text(body)
    return engine.get(name, root)


def test_deny_messages_come_back_sorted(tmp_path):
    policy = _write_policy(
        tmp_path,
        "tiny",
        "package readmit.tiny\n\ndeny contains msg if {\n"
        '\tsome o in input.objects\n\tmsg := sprintf("%s is bad", [o.name])\n}\n',
    )
    assert engine.evaluate(policy, {"objects": [{"name": "b"}, {"name": "a"}]}) == ["a is bad", "b is bad"]
    assert engine.evaluate(policy, {"objects": []}) == []


def test_a_segfaulting_engine_is_an_error_naming_the_policy(tmp_path, monkeypatch):
    policy = _write_policy(tmp_path, "tiny", "package readmit.tiny\n\ndeny contains 1 if false\n")
    monkeypatch.setattr(engine, "WORKER", [sys.executable, "-c", "import ctypes; ctypes.string_at(0)"])
    with pytest.raises(engine.PolicyError, match=r"^tiny: the Rego engine crashed \(SIGSEGV\); not a pass"):
        engine.evaluate(policy, {"objects": []})


def test_an_engine_that_prints_nothing_is_an_error(tmp_path, monkeypatch):
    policy = _write_policy(tmp_path, "tiny", "package readmit.tiny\n\ndeny contains 1 if false\n")
    monkeypatch.setattr(engine, "WORKER", [sys.executable, "-c", "pass"])
    with pytest.raises(engine.PolicyError, match="tiny: the Rego engine returned no result"):
        engine.evaluate(policy, {"objects": []})


def test_a_syntax_error_is_an_error_not_a_pass(tmp_path):
    policy = _write_policy(
        tmp_path, "broken", "package readmit.broken\n\ndeny contains msg if { msg := 1 + }\n"
    )
    with pytest.raises(
        engine.PolicyError,
        match=r"^broken: Rego error: broken/policy.rego:3:\d+: Invalid arithmetic operator",
    ):
        engine.evaluate(policy, {"objects": []})


def test_a_package_that_does_not_match_the_folder_is_an_error(tmp_path):
    policy = _write_policy(tmp_path, "named", 'package readmit.other\n\ndeny contains "x" if true\n')
    with pytest.raises(engine.PolicyError, match="undefined"):
        engine.evaluate(policy, {"objects": []})


def test_batches_give_one_result_per_document(tmp_path):
    policy = _write_policy(
        tmp_path, "tiny", 'package readmit.tiny\n\ndeny contains "odd" if input.n % 2 == 1\n'
    )
    assert engine.evaluate_many(policy, [{"n": 1}, {"n": 2}, {"n": 3}]) == [["odd"], [], ["odd"]]


def test_every_repo_policy_is_discovered(repo_root):
    names = [p.name for p in engine.discover(repo_root)]
    assert names == [
        "argocd",
        "image-provenance",
        "model-gates",
        "phi-isolation",
        "promotion",
        "seldon-rollout",
        "storage-secret",
        "tekton",
        "workload-security",
    ]


def test_a_policy_can_use_the_shared_helpers_in_lib(tmp_path):
    policy = _write_policy(
        tmp_path,
        "tiny",
        "package readmit.tiny\n\nimport data.readmit.lib.names\n\n"
        "deny contains msg if {\n\tsome o in input.objects\n\tmsg := names.shout(o.name)\n}\n",
    )
    (tmp_path / "policies" / "lib" / "names.rego").write_text(
        'package readmit.lib.names\n\nshout(s) := concat("", [upper(s), "!"])\n'
    )
    (tmp_path / "policies" / "lib" / "README.md").write_text("not a module\n")
    assert sorted(engine.modules(policy)) == ["lib/names.rego", "tiny/policy.rego"]
    assert engine.evaluate(policy, {"objects": [{"name": "a"}]}) == ["A!"]


def test_an_unknown_policy_names_its_path_and_the_policies_there(tmp_path):
    _write_policy(tmp_path, "only-one", "package readmit.only_one\n\ndeny contains 1 if false\n")
    with pytest.raises(InputError) as err:
        engine.get("nope", tmp_path)
    assert str(err.value) == (
        f"{tmp_path}/policies/nope/policy.rego: no such policy; choose one of ['only-one']"
    )


def test_a_hung_engine_is_stopped_and_reported_as_a_timeout(tmp_path, monkeypatch):
    policy = _write_policy(tmp_path, "tiny", "package readmit.tiny\n\ndeny contains 1 if false\n")
    # Exits 0 with no output if it is not stopped, which would be reported as "returned no result".
    monkeypatch.setattr(engine, "WORKER", [sys.executable, "-c", "import time; time.sleep(8)"])
    monkeypatch.setattr(engine, "TIMEOUT_S", 0.5)
    with pytest.raises(engine.PolicyError, match=r"^tiny: the Rego engine timed out after 0.5s$"):
        engine.evaluate(policy, {"objects": []})


def test_an_engine_killed_by_a_signal_without_a_name_reports_its_number(tmp_path, monkeypatch):
    policy = _write_policy(tmp_path, "tiny", "package readmit.tiny\n\ndeny contains 1 if false\n")
    # 40 is a real-time signal: Python's signal.Signals has no name for it; its default action kills.
    monkeypatch.setattr(engine, "WORKER", [sys.executable, "-c", "import os; os.kill(os.getpid(), 40)"])
    with pytest.raises(
        engine.PolicyError, match=r"^tiny: the Rego engine crashed \(signal 40\); not a pass$"
    ):
        engine.evaluate(policy, {"objects": []})


def test_an_engine_exiting_non_zero_reports_the_status(tmp_path, monkeypatch):
    policy = _write_policy(tmp_path, "tiny", "package readmit.tiny\n\ndeny contains 1 if false\n")
    monkeypatch.setattr(engine, "WORKER", [sys.executable, "-c", "raise SystemExit(3)"])
    with pytest.raises(engine.PolicyError, match=r"^tiny: the Rego engine exited with status 3; not a pass$"):
        engine.evaluate(policy, {"objects": []})


def test_discovered_policies_carry_their_folder(tmp_path):
    _write_policy(tmp_path, "b-policy", "package readmit.b_policy\n\ndeny contains 1 if false\n")
    _write_policy(tmp_path, "a-policy", "package readmit.a_policy\n\ndeny contains 1 if false\n")
    assert engine.discover(tmp_path) == [
        engine.Policy("a-policy", tmp_path / "policies" / "a-policy"),
        engine.Policy("b-policy", tmp_path / "policies" / "b-policy"),
    ]


def test_the_advisory_warn_set_is_evaluated_apart_from_deny(tmp_path):
    policy = _write_policy(
        tmp_path,
        "tiny",
        'package readmit.tiny\n\ndeny contains "blocked" if true\nwarn contains "advice" if true\n',
    )
    assert engine.evaluate(policy, {}, rule="warn") == ["advice"]
    assert engine.evaluate(policy, {}) == ["blocked"]
