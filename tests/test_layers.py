"""What import-linter cannot see: imports sit at module top, git runs only in readmit.git, models.yaml is
parsed only in readmit.envs, and no module keeps its own list of environments."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from readmit import envs

PACKAGE = Path(envs.__file__).resolve().parents[1]


def _modules():
    for path in sorted(PACKAGE.rglob("*.py")):
        yield path.relative_to(PACKAGE).as_posix(), ast.parse(path.read_text())


def _local_imports(tree: ast.Module):
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            for inner in ast.walk(node):
                if isinstance(inner, ast.ImportFrom) and (inner.module or "").startswith("readmit"):
                    yield inner.lineno, inner.module
                if isinstance(inner, ast.Import):
                    yield from ((inner.lineno, a.name) for a in inner.names if a.name.startswith("readmit"))


def test_readmit_modules_are_imported_at_module_top():
    found = [f"{rel}:{line}: {name}" for rel, tree in _modules() for line, name in _local_imports(tree)]
    assert found == []


def _string_constants(tree: ast.Module):
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            yield node.lineno, node.value


def test_no_module_names_an_environment(repo_root):
    names = set(envs.names(repo_root))
    found = [
        f"{rel}:{line}: {value!r}"
        for rel, tree in _modules()
        for line, value in _string_constants(tree)
        if value in names
    ]
    assert found == []


@pytest.mark.parametrize(
    ("needle", "home"),
    [
        ('"git"', {"git.py"}),  # the git executable
        ('models.yaml"', {"envs/state.py"}),
    ],
)
def test_one_home_for_git_and_for_reading_models_yaml(needle, home):
    users = {rel for rel in (p.relative_to(PACKAGE).as_posix() for p in PACKAGE.rglob("*.py"))}
    found = {rel for rel in users if needle in (PACKAGE / rel).read_text()}
    assert found <= home
