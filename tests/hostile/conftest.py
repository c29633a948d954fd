"""Harness of the hostile-input suites: run the CLI in-process and check the contract on every example.

The contract (readmit/errors.py, readmit/cli/__init__.py): exit 0, 1 (a check found problems) or 2 (bad
input, ONE line `readmit: error: ...` naming the input); never a traceback, never exit 3 (an internal error
is a hole the generator found); no output left half-written.

Examples are derandomized (the same inputs on every run) and bounded so the whole folder stays within about
a minute on two cores; `READMIT_FUZZ_SCALE=20` multiplies every budget for a longer local hunt.
"""

from __future__ import annotations

import contextlib
import io
import os
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import HealthCheck, currently_in_test_context, event, settings

from readmit.cli import main

SCALE = max(1, int(os.environ.get("READMIT_FUZZ_SCALE", "1")))


def fuzz(max_examples: int):
    """Hypothesis settings for one suite: fixed inputs, bounded count, no example database in the repo."""
    return settings(
        max_examples=max_examples * SCALE,
        derandomize=True,
        database=None,
        deadline=None,
        print_blob=False,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
    )


@dataclass(frozen=True)
class Outcome:
    code: int
    out: str
    err: str


def run(argv: list[str], env: dict[str, str] | None = None) -> Outcome:
    """`readmit <argv>` in this process (SystemExit captured), with stdout and stderr captured."""
    out, err = io.StringIO(), io.StringIO()
    # A context, not the fixture: Hypothesis runs many examples inside one test function.
    with pytest.MonkeyPatch.context() as mp:
        for k, v in (env or {}).items():
            mp.setenv(k, v)
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                main(argv)
                code = 0
            except SystemExit as exc:
                code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    return Outcome(code, out.getvalue(), err.getvalue())


def assert_contract(result: Outcome, names: list[str], codes: tuple[int, ...] = (0, 1, 2)) -> None:
    """Exit code in `codes`; no traceback; on exit 2 exactly one line that names one of `names`."""
    if currently_in_test_context():  # shown by --hypothesis-show-statistics
        event(f"{names[0].rsplit('/', 1)[-1]}: exit {result.code}")
    assert "Traceback (most recent call last)" not in result.err, result.err[-2000:]
    assert "internal error" not in result.err, result.err
    assert result.code in codes, (result.code, result.err[-2000:])
    if result.code == 2:
        lines = result.err.strip().splitlines()
        assert len(lines) == 1, result.err
        assert lines[0].startswith("readmit: error: "), lines[0]
        assert any(n in lines[0] for n in names), (names, lines[0])
    if result.code == 1:
        assert result.err.strip().splitlines()[-1].startswith("readmit: "), result.err


def leftovers(parent: Path, expected: set[str]) -> set[str]:
    """Entries of `parent` besides `expected`: a temporary sibling left behind is a half-written output."""
    return {p.name for p in parent.iterdir()} - expected
