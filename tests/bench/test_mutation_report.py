"""bench/mutation.md from a mutmut run: one row of counts per module, each survivor with its note (or
flagged as not explained), and the earlier survivors that tests now kill."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

# Loaded from its file: bench/ is a folder of scripts, not a package on sys.path.
_SPEC = importlib.util.spec_from_file_location(
    "mutation_report", Path(__file__).resolve().parents[2] / "bench" / "mutation_report.py"
)
mutation_report = importlib.util.module_from_spec(_SPEC)
_SPEC.loader.exec_module(mutation_report)

KEY = "readmit.promote.transitions.x_shadow__mutmut_"


def test_the_report_counts_each_status_and_explains_or_flags_each_survivor(tmp_path, monkeypatch, capsys):
    meta = tmp_path / "src/readmit/promote/transitions.py.meta"
    meta.parent.mkdir(parents=True)
    # mutmut's exit codes: 1 killed, 0 survived, 36 timeout, None not run yet.
    codes = {f"{KEY}1": 1, f"{KEY}2": 0, f"{KEY}3": 0, f"{KEY}4": None, f"{KEY}5": 36}
    meta.write_text(json.dumps({"exit_code_by_key": codes}))
    notes = tmp_path / "survivors.toml"
    notes.write_text(
        f'[equivalent]\n"{KEY}2" = "the same either way"\n\n[killed_by]\n"{KEY}1" = "tests/t.py::test_k"\n'
    )
    monkeypatch.setattr(mutation_report, "MUTANTS", tmp_path)
    monkeypatch.setattr(mutation_report, "NOTES", notes)
    monkeypatch.setattr(sys, "argv", ["mutation_report.py", "--modules-run", "Mutants run: all."])

    assert mutation_report.main() == 0
    lines = capsys.readouterr().out.splitlines()
    assert "Mutants run: all." in lines
    assert (
        "| `readmit.promote.transitions` | 5 | 4 | 1 | 2 | 1 | 1 | 0 | 1 | 25.0 | 33.3 | partial |" in lines
    )
    assert "Survivors not shown equivalent, per module run: `readmit.promote.transitions` 1." in lines
    assert f"- `{KEY}2`: equivalent: the same either way" in lines
    assert f"- `{KEY}3`: NOT YET EXPLAINED" in lines
    assert f"- `{KEY}1`: tests/t.py::test_k" in lines


def test_a_zero_survivor_module_meets_its_target_only_when_every_survivor_is_equivalent():
    statuses = {f"{KEY}1": "killed", f"{KEY}2": "survived", f"{KEY}3": "timeout"}
    module = "readmit.promote.transitions"
    assert mutation_report.target(module, statuses, {f"{KEY}2": "why"}) == "met"
    assert mutation_report.target(module, statuses, {}) == "NOT met"
    assert (
        mutation_report.target(module, {**statuses, f"{KEY}4": "not checked"}, {f"{KEY}2": "why"})
        == "partial"
    )


def test_any_other_module_needs_90_percent_of_its_killable_mutants_killed():
    nine = {f"readmit.gates.x_gate__mutmut_{i}": "killed" for i in range(9)}
    one_survivor = {**nine, "s": "survived"}
    assert mutation_report.target("readmit.gates", one_survivor, {}) == "met"
    # Equivalent survivors leave the denominator: 9 killed of 9 killable.
    assert mutation_report.score({**nine, "e": "survived"}, {"e": "why"}) == 100.0
    eight = dict(list(nine.items())[:8])
    assert (
        mutation_report.target("readmit.gates", {**eight, "s": "survived", "t": "timeout"}, {}) == "NOT met"
    )
    assert (
        mutation_report.target("readmit.gates", {**eight, "s": "survived", "t": "timeout"}, {"s": "w"})
        == "NOT met"
    )
    assert mutation_report.score({"e": "survived"}, {"e": "why"}) is None
    assert mutation_report.target("readmit.gates", {"n": "not checked"}, {}) == "not run"
