"""Fixtures of the promotion tests: a throw-away copy of the repo and a private MLflow store."""

from __future__ import annotations

import pytest

import readmit.manifests.check
from git_repos import copy_of_repo, use_identity
from registry_versions import use_tmp_mlflow


@pytest.fixture
def repo(repo_root, tmp_path, monkeypatch):
    use_identity(monkeypatch)
    return copy_of_repo(repo_root, tmp_path / "repo")


@pytest.fixture
def model(tmp_path, monkeypatch):
    return use_tmp_mlflow(monkeypatch, tmp_path)


@pytest.fixture
def manifests_problems(monkeypatch):
    """Stands in for `readmit manifests check` (tested by the manifests suite; kubernetes-validate and
    trivy take seconds): returns the problems a test puts in the list."""
    problems: list[str] = []
    monkeypatch.setattr(readmit.manifests.check, "check", lambda **kwargs: list(problems))
    return problems
