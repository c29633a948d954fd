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


def _commands(group: click.Group, prefix: tuple[str, ...] = ()):
    ctx = click.Context(group)
    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
        yield (*prefix, name), command
        if isinstance(command, click.Group):
            yield from _commands(command, (*prefix, name))


def test_readmit_help_and_every_command_help_show_an_example_line():
    from click.testing import CliRunner

    runner = CliRunner()
    assert "readmit " in runner.invoke(cli.cli, ["--help"]).output.split("Examples:")[1]
    for path, _ in _commands(cli.cli):
        out = runner.invoke(cli.cli, [*path, "--help"]).output
        assert "Example:" in out, f"readmit {' '.join(path)} --help has no example"
        assert f"readmit {' '.join(path)}" in out.split("Example:")[1], (
            f"{path}: the example runs another command"
        )


def test_every_command_taking_environments_offers_the_same_choices_read_from_the_repo(repo_root):
    from readmit import envs

    expected = [*envs.names(repo_root), "all"]
    with_env = {}
    for path, command in _commands(cli.cli):
        for param in command.params:
            if param.name == "env":
                with_env[path] = list(param.type.choices)
    assert set(with_env) >= {
        ("audit",),
        ("gate",),
        ("manifests", "check"),
        ("policy", "check"),
        ("promote",),
        ("rollback",),
    }
    assert all(choices == expected for choices in with_env.values()), with_env


def test_policy_check_accepts_env_all_like_manifests_check(monkeypatch):
    import readmit.cli.policy

    seen = {}
    monkeypatch.setattr(readmit.cli.policy, "run_check", lambda **kw: seen.update(kw) or [])
    from click.testing import CliRunner

    result = CliRunner().invoke(cli.cli, ["policy", "check", "--env", "all", "--no-registry"])
    assert result.exit_code == 0, result.output
    assert seen["envs"] is None and seen["paths"] is None  # every environment plus the other trees
