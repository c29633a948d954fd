import subprocess
import sys

import click
import pytest

from readmit import cli
from readmit.errors import CheckFailed, InputError


def _run_with(monkeypatch, capsys, exc: Exception) -> tuple[int, str]:
    @click.command()
    def boom() -> None:
        raise exc

    monkeypatch.setitem(cli.COMMANDS, "boom", "tests.test_cli:unused")
    monkeypatch.setattr(cli.LazyGroup, "get_command", lambda self, ctx, name: boom)
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["boom"])
    return exit_info.value.code, capsys.readouterr().err


def test_input_error_is_one_line_and_exit_2(monkeypatch, capsys):
    code, err = _run_with(monkeypatch, capsys, InputError("x.csv:3: missing column 'age'; add it"))
    assert code == 2
    assert err.strip().splitlines() == ["readmit: error: x.csv:3: missing column 'age'; add it"]


def test_check_failed_lists_each_problem_and_exit_1(monkeypatch, capsys):
    code, err = _run_with(monkeypatch, capsys, CheckFailed("2 problems", ["first", "second"]))
    assert code == 1
    assert err.strip().splitlines() == ["first", "second", "readmit: 2 problems"]


def test_every_listed_command_imports_and_has_help():
    for name, target in cli.COMMANDS.items():
        result = subprocess.run(
            [sys.executable, "-m", "readmit", name, "--help"], capture_output=True, text=True
        )
        assert result.returncode == 0, f"{name} ({target}): {result.stderr[-500:]}"
        assert "Usage:" in result.stdout
