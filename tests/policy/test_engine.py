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


def _counted_worker(tmp_path, monkeypatch):
    """The real worker, started through a shim that notes each engine process in a file."""
    starts = tmp_path / "starts"
    shim = (
        f"open({str(starts)!r}, 'a').write('x'); "
        "import runpy; runpy.run_module('readmit.policy.worker', run_name='__main__')"
    )
    monkeypatch.setattr(engine, "WORKER", [sys.executable, "-c", shim])
    return starts


def _three_policies(tmp_path):
    return [
        _write_policy(
            tmp_path,
            name,
            f'package readmit.{name}\n\ndeny contains "{name} " if input.n > {limit}\n'
            f'warn contains "{name} warn" if input.n > {limit}\n',
        )
        for name, limit in (("pa", 0), ("pb", 1), ("pc", 2))
    ]


def test_evaluate_all_answers_per_policy_in_the_given_order_then_per_document(tmp_path, monkeypatch):
    policies = _three_policies(tmp_path)
    monkeypatch.setattr(engine.os, "cpu_count", lambda: 2)
    reversed_order = [policies[2], policies[0], policies[1]]
    assert engine.evaluate_all(reversed_order, [{"n": 1}, {"n": 3}]) == [
        [[], ["pc "]],
        [["pa "], ["pa "]],
        [[], ["pb "]],
    ]
    assert engine.evaluate_all(policies, [{"n": 2}], rule="warn") == [[["pa warn"]], [["pb warn"]], [[]]]


@pytest.mark.parametrize(("cores", "processes"), [(2, 2), (8, 3), (None, 1), (1, 1)])
def test_evaluate_all_starts_one_engine_process_per_core_at_most(tmp_path, monkeypatch, cores, processes):
    policies = _three_policies(tmp_path)
    monkeypatch.setattr(engine.os, "cpu_count", lambda: cores)
    starts = _counted_worker(tmp_path, monkeypatch)
    assert engine.evaluate_all(policies, [{"n": 5}]) == [[["pa "]], [["pb "]], [["pc "]]]
    assert starts.read_text() == "x" * processes


def test_evaluate_all_of_no_policies_starts_no_engine(tmp_path, monkeypatch):
    starts = _counted_worker(tmp_path, monkeypatch)
    assert engine.evaluate_all([], [{"n": 1}]) == []
    assert not starts.exists()


def test_an_engine_answering_for_fewer_policies_than_asked_is_an_error(tmp_path, monkeypatch):
    policies = _three_policies(tmp_path)[:2]
    reply = '{"replies": [{"results": [[]]}]}'
    monkeypatch.setattr(engine, "WORKER", [sys.executable, "-c", f"print({reply!r})"])
    monkeypatch.setattr(engine.os, "cpu_count", lambda: 1)
    with pytest.raises(engine.PolicyError, match=r"^pa, pb: the Rego engine answered 1 of 2; not a pass$"):
        engine.evaluate_all(policies, [{"n": 1}])


def test_engines_started_ahead_evaluate_deny_by_default_then_start_fresh_ones(tmp_path, monkeypatch):
    """The audit starts its engines first and evaluates later: the ones started ahead are used once, a
    second evaluation starts new ones, and closing twice (an error path after the with-block) is harmless."""
    policies = _three_policies(tmp_path)
    monkeypatch.setattr(engine.os, "cpu_count", lambda: 2)
    starts = _counted_worker(tmp_path, monkeypatch)
    with engine.Engines(len(policies)) as engines:
        assert engines.evaluate_all(policies, [{"n": 5}]) == [[["pa "]], [["pb "]], [["pc "]]]
        assert engines.evaluate_all(policies, [{"n": 1}]) == [[["pa "]], [[]], [[]]]
    engines.__exit__(None, None, None)
    assert starts.read_text() == "x" * 4


def test_what_the_engine_writes_to_stderr_is_not_passed_through(tmp_path, monkeypatch, capfd):
    """The engine's stderr may quote the input documents: it is captured, never shown or logged."""
    policy = _write_policy(tmp_path, "tiny", "package readmit.tiny\n\ndeny contains 1 if false\n")
    noisy = "import sys; sys.stderr.write('engine noise: patient 123'); sys.exit(3)"
    monkeypatch.setattr(engine, "WORKER", [sys.executable, "-c", noisy])
    with pytest.raises(engine.PolicyError, match=r"^tiny: the Rego engine exited with status 3; not a pass$"):
        engine.evaluate(policy, {"objects": []})
    assert "engine noise" not in capfd.readouterr().err
