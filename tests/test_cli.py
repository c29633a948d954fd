import subprocess
import sys

import click
import pytest

from readmit import cli, envs
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


def test_readmit_help_lists_each_command_with_clicks_line_without_importing_any():
    ctx = click.Context(cli.cli)
    for name, target in cli.COMMANDS.items():
        for limit in (45, 70):
            assert cli.short_help(target, limit) == cli.cli.get_command(ctx, name).get_short_help_str(limit)
    probe = (
        "import sys\n"
        "from readmit.cli import main\n"
        "try:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
        "print(sorted(m for m in sys.modules if m.startswith('readmit.cli.') or m in ('mlflow', 'torch')))"
    )
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert result.stdout.strip().splitlines()[-1] == "[]"
    assert "canary" in result.stdout and "train" in result.stdout  # the listing itself is there


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


def test_an_unexpected_exception_is_one_line_without_traceback_and_exit_3(monkeypatch, capsys):
    monkeypatch.delenv("READMIT_DEBUG", raising=False)
    code, err = _run_with(monkeypatch, capsys, KeyError("Jane Doe"))
    assert code == cli.INTERNAL_ERROR == 70
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("readmit: internal error: KeyError")
    assert "--debug" in lines[0] and "READMIT_DEBUG=1" in lines[0]
    assert "Jane Doe" not in err  # an exception's text may carry a value from the data (PHI)
    assert "Traceback" not in err


def test_debug_flag_and_env_show_the_traceback(monkeypatch, capsys):
    @click.command()
    def boom() -> None:
        raise KeyError("x")

    monkeypatch.setattr(cli.LazyGroup, "get_command", lambda self, ctx, name: boom)
    for argv, env in ((["--debug", "boom"], None), (["boom"], "1")):
        if env:
            monkeypatch.setenv("READMIT_DEBUG", env)
        with pytest.raises(SystemExit) as exit_info:
            cli.main(argv)
        err = capsys.readouterr().err
        assert exit_info.value.code == 70
        assert "Traceback (most recent call last)" in err and "KeyError" in err
        assert err.strip().splitlines()[-1].startswith("readmit: internal error: KeyError")


def test_debug_also_shows_where_an_input_error_was_raised(monkeypatch, capsys):
    monkeypatch.setenv("READMIT_DEBUG", "1")
    code, err = _run_with(monkeypatch, capsys, InputError("x.csv:3: bad; fix it"))
    assert code == 2
    assert "Traceback" in err and err.strip().splitlines()[-1] == "readmit: error: x.csv:3: bad; fix it"


def test_no_traceback_by_default_for_input_errors(monkeypatch, capsys):
    monkeypatch.delenv("READMIT_DEBUG", raising=False)
    code, err = _run_with(monkeypatch, capsys, InputError("x.csv:3: bad; fix it"))
    assert code == 2 and "Traceback" not in err


@pytest.mark.parametrize(
    ("argv", "why"),
    [
        (
            ["promote", "--env", "all", "--version", "1"],
            "promote changes one environment per reviewed commit",
        ),
        (["rollback", "--env", "all"], "rollback changes one environment per reviewed commit"),
        (["canary", "analyze", "--env", "all"], "a canary runs in one environment"),
    ],
)
def test_a_one_environment_command_refuses_env_all_in_one_line_exit_2(argv, why, capsys, repo_root):
    with pytest.raises(SystemExit) as exit_info:
        cli.main(argv)
    assert exit_info.value.code == 2
    names = ", ".join(envs.names(repo_root))
    assert capsys.readouterr().err.strip().splitlines() == [
        f"readmit: error: --env all: {why}; name one of {names}"
    ]
