"""The demo's work dir: the first run makes a bare remote of the committed HEAD and a checkout; a later
run carries on in them (next run folder, same registry) instead of failing."""

from __future__ import annotations

from pathlib import Path

import pytest

from readmit import git
from readmit.demo.workspace import merge, open_workspace
from readmit.errors import InputError


def test_a_second_run_carries_on_in_the_same_remote_and_registry(
    tmp_path: Path, repo_root: Path, monkeypatch
):
    monkeypatch.delenv("MLFLOW_TRACKING_URI", raising=False)
    first = open_workspace(tmp_path / "work", repo_root)
    assert git.run(first.bare, "rev-parse", "HEAD") == git.run(repo_root, "rev-parse", "HEAD")
    assert (first.number, first.run) == (1, tmp_path / "work" / "runs" / "1")
    second = open_workspace(tmp_path / "work", repo_root)
    assert (second.number, second.run) == (2, tmp_path / "work" / "runs" / "2")
    assert second.checkout == first.checkout and second.mlflow_uri == first.mlflow_uri
    assert first.mlflow_uri == f"sqlite:///{tmp_path / 'work' / 'mlflow.db'}"
    assert second.env["READMIT_INFERENCE_LOG"].startswith(str(second.run))


def test_merge_fast_forwards_main_to_the_pushed_branch_and_pushes_it(tmp_path: Path, repo_root: Path):
    ws = open_workspace(tmp_path / "work", repo_root)
    (ws.checkout / "note.txt").write_text("a promotion stand-in\n")
    git.run(ws.checkout, "switch", "-q", "-c", "promote/dev/v9")
    git.run(ws.checkout, "add", "note.txt")
    who = {
        f"GIT_{r}_{k}": v
        for r in ("AUTHOR", "COMMITTER")
        for k, v in (("NAME", "t"), ("EMAIL", "t@x.invalid"))
    }
    git.run(ws.checkout, "commit", "-q", "-m", "stand-in", env=who)
    git.push(ws.checkout, "origin", "promote/dev/v9")
    commit = merge(ws, "promote/dev/v9")
    assert git.current(ws.checkout) == ws.base
    assert git.run(ws.bare, "rev-parse", ws.base).strip() == commit
    assert git.run(ws.bare, "rev-parse", "promote/dev/v9").strip() == commit


def test_a_run_left_on_a_promotion_branch_is_named_not_overwritten(tmp_path: Path, repo_root: Path):
    ws = open_workspace(tmp_path / "work", repo_root)
    git.run(ws.checkout, "switch", "-q", "-c", "promote/dev/v9")
    with pytest.raises(InputError, match="on branch promote/dev/v9"):
        open_workspace(tmp_path / "work", repo_root)


def test_the_demo_never_registers_into_the_users_mlflow(tmp_path: Path, repo_root: Path, monkeypatch, capsys):
    """A user's MLFLOW_TRACKING_URI (a hospital registry) must not receive the demo's synthetic versions."""
    monkeypatch.setenv("MLFLOW_TRACKING_URI", "https://mlflow.hospital.invalid")
    monkeypatch.setenv("MLFLOW_REGISTRY_URI", "https://registry.hospital.invalid")
    ws = open_workspace(tmp_path / "work", repo_root)
    assert ws.mlflow_uri == f"sqlite:///{tmp_path / 'work' / 'mlflow.db'}"
    assert "MLFLOW_REGISTRY_URI" not in ws.env
    said = capsys.readouterr().err
    assert "not used by the demo" in said and "hospital.invalid" not in said
