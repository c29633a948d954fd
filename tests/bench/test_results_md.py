"""bench/results.md from recorded figures: each figure next to its target with met / not met / no target,
the machine facts, and the JSON-lines record the bench scripts append to."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))

import _results  # noqa: E402
import results_md  # noqa: E402

MACHINE = {"Machine": "2 cores, 3.8 GiB memory, Test CPU", "Python": "3.11.9"}


def figure(name, value, target=None, direction="<=", unit="s", note="") -> dict:
    return {
        "script": "bench_x.py",
        "name": name,
        "value": value,
        "unit": unit,
        "target": target,
        "direction": direction,
        "quick": False,
        "note": note,
    }


def row_of(text: str, name: str) -> list[str]:
    (line,) = [line for line in text.splitlines() if f"| {name}" in line]
    return [cell.strip() for cell in line.strip("|").split("|")]


@pytest.mark.parametrize(
    ("value", "target", "direction", "expected"),
    [
        (0.8, 1.0, "<=", "met"),
        (1.0, 1.0, "<=", "met"),
        (1.2, 1.0, "<=", "not met"),
        (25_000, 20_000, ">=", "met"),
        (3_050, 20_000, ">=", "not met"),
        (3_050, None, ">=", "no target"),
    ],
)
def test_verdict_follows_the_direction_of_the_target(value, target, direction, expected):
    assert results_md.verdict(figure("f", value, target, direction)) == expected


def test_render_puts_each_figure_next_to_its_target_and_counts_the_targets_met():
    figures = [
        figure("audit, 10,000 commits", 2.43, 1.0),
        figure("batch scoring", 21_500, 20_000, ">=", "rows/s"),
        figure("peak RSS", 612, None, unit="MiB", note="server and workers"),
    ]
    runs = [results_md.Run("bench_x.py", 0, 12.4), results_md.Run("bench_y.py", 1, 3.0)]
    text = results_md.render(figures, runs, MACHINE, "2026-11-30 15:00 UTC", quick=False)
    assert row_of(text, "bench_x.py | audit") == [
        "bench_x.py",
        "audit, 10,000 commits",
        "2.43 s",
        "≤ 1 s",
        "not met",
    ]
    assert row_of(text, "bench_x.py | batch") == [
        "bench_x.py",
        "batch scoring",
        "21,500 rows/s",
        "≥ 20,000 rows/s",
        "met",
    ]
    assert row_of(text, "bench_x.py | peak")[1:] == [
        "peak RSS (server and workers)",
        "612 MiB",
        "",
        "no target",
    ]
    assert "**1 of 2 targets met** (1 figures without a target)" in text
    assert "- Date: 2026-11-30 15:00 UTC" in text and "- Run: full" in text
    assert "- Machine: 2 cores, 3.8 GiB memory, Test CPU" in text and "- Python: 3.11.9" in text
    assert "**Failed:** bench_y.py" in text


def test_a_quick_run_says_so():
    text = results_md.render([], [], MACHINE, "now", quick=True)
    assert "- Run: QUICK" in text and "**0 of 0 targets met**" in text


def test_record_appends_json_lines_that_read_returns(tmp_path, monkeypatch):
    figures = tmp_path / "out" / "figures.jsonl"
    monkeypatch.setenv("BENCH_RESULTS", str(figures))
    monkeypatch.setattr(_results, "QUICK", True)
    _results.record("router added p99", 1.5, "ms", 2)
    _results.record("batch scoring", 20_000, "rows/s", 20_000, ">=", note="no explanations")
    lines = _results.read(figures)
    assert [(f["name"], f["value"], f["target"], f["direction"], f["quick"]) for f in lines] == [
        ("router added p99", 1.5, 2.0, "<=", True),
        ("batch scoring", 20_000.0, 20_000.0, ">=", True),
    ]
    assert all(json.loads(line) for line in figures.read_text().splitlines())


def test_record_without_a_results_file_only_lets_the_script_print(tmp_path, monkeypatch):
    monkeypatch.delenv("BENCH_RESULTS", raising=False)
    monkeypatch.chdir(tmp_path)
    _results.record("x", 1, "s", 1)
    assert list(tmp_path.iterdir()) == []


def test_record_refuses_an_unknown_direction(monkeypatch, tmp_path):
    monkeypatch.setenv("BENCH_RESULTS", str(tmp_path / "f.jsonl"))
    with pytest.raises(ValueError, match="direction"):
        _results.record("x", 1, "s", 1, direction="<")


def test_write_lists_the_machine_and_the_key_packages(tmp_path, monkeypatch):
    figures = tmp_path / "figures.jsonl"
    monkeypatch.setenv("BENCH_RESULTS", str(figures))
    _results.record("full UCI train", 52.4, "s", 60)
    out = tmp_path / "results.md"
    results_md.write(figures, out, [], quick=False, facts={"Load average at the start": "0.10"})
    text = out.read_text()
    for package in results_md.PACKAGES:
        assert f"{package} " in text
    assert "cores" in text and "- Load average at the start: 0.10" in text
    assert row_of(text, "full UCI train")[1:] == ["full UCI train", "52.4 s", "≤ 60 s", "met"]
