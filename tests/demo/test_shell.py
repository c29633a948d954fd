"""A demo step's exit code: 0 (or another code the caller names as an outcome) goes on, any other stops
the demo naming the step. Steps running ahead: their log is replayed in order, their failure is raised
where the demo takes their result, and a failing demo stops their command."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import pytest

from readmit.demo import shell
from readmit.demo.shell import ahead, readmit, say
from readmit.errors import CheckFailed

UNKNOWN = ["no-such-command"]  # click exits 2 without importing any command


def test_an_exit_code_named_as_an_outcome_is_returned():
    assert readmit(UNKNOWN, dict(os.environ), outcomes=(0, 2)) == 2


def test_any_other_exit_code_stops_the_demo_naming_the_step():
    with pytest.raises(CheckFailed, match="demo step `readmit no-such-command` failed with exit code 2"):
        readmit(UNKNOWN, dict(os.environ))


def test_steps_running_ahead_write_their_log_which_is_replayed_when_their_result_is_taken(
    tmp_path: Path, capsys
):
    def steps(value):
        say("a step that ran ahead")
        return value

    with ahead("part 3", tmp_path / "ahead.log", steps, 42) as pending:
        assert pending.result() == 42
    assert "a step that ran ahead" in (tmp_path / "ahead.log").read_text()
    err = capsys.readouterr().err
    assert err.index("part 3: started ahead") < err.index("a step that ran ahead"), err


def test_a_failure_among_steps_running_ahead_stops_the_demo_when_their_result_is_taken(tmp_path: Path):
    with ahead("part 3", tmp_path / "ahead.log", readmit, UNKNOWN, dict(os.environ)) as pending:
        with pytest.raises(CheckFailed, match="`readmit no-such-command` failed with exit code 2"):
            pending.result()
    assert "$ readmit no-such-command" in (tmp_path / "ahead.log").read_text()


def test_when_the_demo_fails_the_command_running_ahead_is_stopped(tmp_path: Path, monkeypatch):
    hangs = tmp_path / "hangs"  # stands in for the interpreter: a command that runs until stopped
    hangs.write_text("#!/bin/sh\nexec sleep 600\n")
    hangs.chmod(0o755)
    monkeypatch.setattr(sys, "executable", str(hangs))
    started = []
    monkeypatch.setattr(shell, "_live", _Recording(started))
    with pytest.raises(RuntimeError, match="the demo failed"):
        with ahead("part 3", tmp_path / "ahead.log", readmit, ["serve"], dict(os.environ)):
            while not started:
                time.sleep(0.05)
            raise RuntimeError("the demo failed")
    assert started[0].returncode is not None  # stopped (SIGINT), and the thread that waited for it ended
    shell.restart_clock()  # the next demo in this process starts commands again


class _Recording(set):
    """shell._live that also remembers every process started."""

    def __init__(self, started: list):
        super().__init__()
        self.started = started

    def add(self, proc):
        self.started.append(proc)
        super().add(proc)
