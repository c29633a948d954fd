"""What the scheduled task relies on: `--if-running` turns "no canary" into decision `none` (exit 0), the
analysis folder's records read back as the task's results, and misuse is one line with exit 2."""

from __future__ import annotations

import pytest

from git_repos import copy_of_repo
from readmit.canary import record
from readmit.cli import main


@pytest.fixture
def no_canary_repo(repo_root, tmp_path, monkeypatch):
    monkeypatch.setenv("READMIT_HOME", str(tmp_path / "home"))
    return copy_of_repo(repo_root, tmp_path / "repo")  # nothing promoted: no Experiment in dev


def _analyze(repo, out, *extra):
    args = ["canary", "analyze", "--env", "dev", "--repo", str(repo), "--out", str(out), *extra]
    with pytest.raises(SystemExit) as exit_:
        main(args)
        raise SystemExit(0)
    return exit_.value.code


def test_no_canary_with_if_running_records_none_and_succeeds(no_canary_repo, tmp_path, capsys):
    out = tmp_path / "analysis"
    assert _analyze(no_canary_repo, out, "--if-running", "--apply", "--push", "origin") == 0
    assert "No canary runs: environments/dev: no Experiment readmission" in capsys.readouterr().out
    assert record.decision(out) == record.NONE and record.applied_branch(out) == ""
    for name, expected in (("canary-verdict", "none"), ("canary-branch", "")):
        to = tmp_path / name
        main(["pipeline", "result", name, "--file", str(out), "--to", str(to)])
        assert to.read_text() == expected


def test_no_canary_without_if_running_is_bad_input(no_canary_repo, tmp_path, capsys):
    assert _analyze(no_canary_repo, tmp_path / "analysis") == 2
    assert "readmit: error: environments/dev: no Experiment readmission" in capsys.readouterr().err
    assert not (tmp_path / "analysis").exists()


def test_push_needs_apply(no_canary_repo, tmp_path, capsys):
    assert _analyze(no_canary_repo, tmp_path / "a", "--if-running", "--push", "origin") == 2
    assert "--push REMOTE needs --apply" in capsys.readouterr().err


def test_a_result_from_a_folder_without_analysis_is_an_error(tmp_path, capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["pipeline", "result", "canary-verdict", "--file", str(tmp_path), "--to", str(tmp_path / "v")])
    assert exit_.value.code == 2 and "no canary decision" in capsys.readouterr().err
