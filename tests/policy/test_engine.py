"""The Rego engine runs in a subprocess; whatever goes wrong there is an error naming the policy."""

from __future__ import annotations

import sys

import pytest

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
