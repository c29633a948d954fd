"""`readmit pipeline result` and `notify`: what catalog steps hand to Tekton, without shell parsing."""

from __future__ import annotations

import json

import pytest

from readmit.cli import main
from readmit.errors import CheckFailed, InputError
from readmit.pipeline import notify, results


def test_data_version_comes_from_the_manifest(tmp_path):
    (tmp_path / "manifest.json").write_text(json.dumps({"data_version": "sha256:abc"}))
    main(["pipeline", "result", "data-version", "--data", str(tmp_path), "--to", str(tmp_path / "r")])
    assert (tmp_path / "r").read_text() == "sha256:abc"  # no trailing newline: `when` compares verbatim
    with pytest.raises(InputError, match="no data_version"):
        results.data_version(tmp_path / "missing")


def test_long_text_is_capped_to_fit_a_result(tmp_path):
    path = tmp_path / "pr.md"
    path.write_text("é" * 5000)
    text = results.text(path)
    assert len(text.encode()) <= results.MAX_TEXT and text.endswith(results.TRUNCATED)
    path.write_text("short")
    assert results.text(path) == "short"


def test_a_crashed_gate_is_an_error_not_a_verdict(tmp_path):
    code = tmp_path / "exitCode"
    code.write_text("2")
    with pytest.raises(CheckFailed, match="exited 2"):
        results.gate(1, "any", code)


def test_a_missing_input_file_is_one_line_exit_2_not_an_internal_error(tmp_path, capsys):
    missing = tmp_path / "absent"
    for argv in (
        ["text", "--file", str(missing)],
        ["gate", "--version", "1", "--env", "dev", "--exit-code-file", str(missing)],
    ):
        with pytest.raises(SystemExit) as exit_info:
            main(["pipeline", "result", *argv, "--to", str(tmp_path / "r")])
        assert exit_info.value.code == 2
        err = capsys.readouterr().err.strip().splitlines()
        assert len(err) == 1 and err[0].startswith(f"readmit: error: {missing}: cannot read it (")
    assert not (tmp_path / "r").exists()


def test_notify_lists_statuses_and_drops_empty_details():
    text = notify.message("run-1", "Completed", ["train=Succeeded", "promote=None", "reason="])
    assert text.splitlines() == [
        "**run-1**: ok (some tasks skipped) (tasks.status = Completed)",
        "",
        "- train: Succeeded",
        "- promote: None",
    ]
