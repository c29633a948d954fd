"""A demo step's exit code: 0 (or another code the caller names as an outcome) goes on, any other stops
the demo naming the step."""

from __future__ import annotations

import os

import pytest

from readmit.demo.shell import readmit
from readmit.errors import CheckFailed

UNKNOWN = ["no-such-command"]  # click exits 2 without importing any command


def test_an_exit_code_named_as_an_outcome_is_returned():
    assert readmit(UNKNOWN, dict(os.environ), outcomes=(0, 2)) == 2


def test_any_other_exit_code_stops_the_demo_naming_the_step():
    with pytest.raises(CheckFailed, match="demo step `readmit no-such-command` failed with exit code 2"):
        readmit(UNKNOWN, dict(os.environ))
