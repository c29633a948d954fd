"""Reading the history of environments/: whatever a commit put in models.yaml, the reader does not fail."""

from __future__ import annotations

import subprocess

from git_repos import IDENTITY
from readmit.envs.log import read_log as read_history


def test_binary_models_yaml_in_history_is_read_as_unreadable_text_not_a_crash(tmp_path, monkeypatch):
    for key, value in IDENTITY.items():
        monkeypatch.setenv(key, value)
    path = tmp_path / "environments" / "dev" / "models.yaml"
    path.parent.mkdir(parents=True)
    path.write_bytes(b"\x80\xff binary \x00")
    for args in (["init", "-q", "-b", "main"], ["add", "-A"], ["commit", "-q", "-m", "binary"]):
        subprocess.run(["git", "-C", str(tmp_path), *args], check=True, capture_output=True)
    (commit,) = read_history(tmp_path)
    assert "binary" in commit.models["dev"] and "\ufffd" in commit.models["dev"]
