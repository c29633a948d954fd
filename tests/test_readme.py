"""The root README's commands are real: every `readmit ...` it shows names existing commands and options,
every `make X` an existing target, every relative link an existing file, and its seven sections come in
the order issue 15 sets."""

from __future__ import annotations

import re
import shlex

import click
import pytest

from readmit.cli import cli

SECTIONS = [
    "What it is",
    "What `make demo` shows",
    "A promotion, as the reviewer sees it",
    "An audit, as the auditor sees it",
    "Layout",
    "Running it on a real cluster",
    "Limits",
]


@pytest.fixture(scope="module")
def readme(repo_root) -> str:
    return (repo_root / "README.md").read_text(encoding="utf-8")


def readmit_invocations(text: str) -> list[str]:
    """`readmit ...` in inline code, and command lines (with `\\` continuations) in fenced blocks."""
    found, fenced = [], False
    for line in text.replace("\\\n", " ").splitlines():
        if line.strip().startswith("```"):
            fenced = not fenced
        elif not fenced:
            found += re.findall(r"`readmit ([^`]+)`", line)
        elif line.strip().removeprefix("$ ").startswith("readmit "):
            found.append(line.strip().removeprefix("$ ").removeprefix("readmit ").split("#")[0])
    return found


def resolve(tokens: list[str]) -> tuple[click.Command, list[str]]:
    command, ctx = cli, click.Context(cli)
    while isinstance(command, click.Group) and tokens and re.fullmatch(r"[a-z][a-z-]*", tokens[0]):
        sub = command.get_command(ctx, tokens[0])
        assert sub is not None, f"README: `readmit ... {tokens[0]}` is not a command"
        command, tokens = sub, tokens[1:]
    return command, tokens


def test_every_readmit_command_and_option_in_the_readme_exists(readme):
    invocations = readmit_invocations(readme)
    assert len(invocations) > 20
    for text in invocations:
        tokens = [t.strip("[]|") for t in shlex.split(text.replace("'", '"'), posix=True)]
        command, rest = resolve([t for t in tokens if t])
        options = {o for p in command.params for o in (*p.opts, *p.secondary_opts)} | {"--help", "-h"}
        for token in rest:
            if token.startswith("--"):
                assert token.split("=")[0] in options, f"README: `readmit {text}`: no option {token}"


def test_every_make_target_in_the_readme_exists(readme, repo_root):
    targets = set(re.findall(r"^([a-z-]+):", (repo_root / "Makefile").read_text(), flags=re.M))
    named = set(re.findall(r"\bmake ([a-z][a-z-]*)", readme))
    assert named and named <= targets, f"README names make targets that do not exist: {named - targets}"


def test_every_relative_link_in_the_readme_exists(readme, repo_root):
    links = [link for link in re.findall(r"\]\(([^)#]+)\)", readme) if "://" not in link]
    assert links
    assert [link for link in links if not (repo_root / link).exists()] == []


def test_the_seven_sections_come_in_order(readme):
    headings = re.findall(r"^## \d\. (.+)$", readme, flags=re.M)
    assert headings == SECTIONS
