"""An audit that reads no registry does not import MLflow (its import alone takes about a second), and one
that reads it does so in the spawned registry reader, never in the auditing process."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

from git_repos import git, use_identity
from readmit.envs.state import EnvState, dump
from registry_versions import use_tmp_mlflow


def one_commit_repo(tmp_path: Path, models_yaml: str, message: str) -> Path:
    repo = tmp_path / "repo"
    (repo / "environments" / "dev").mkdir(parents=True)
    git(tmp_path, "init", "-q", "-b", "main", str(repo))
    (repo / "environments/dev/models.yaml").write_text(models_yaml)
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", message)
    return repo


def mlflow_modules_after_audit(repo: Path, out: Path, *options: str) -> list[str]:
    """Run `readmit audit` in a fresh interpreter (exit 0 asserted there); return the MLflow modules that
    interpreter had imported by the end."""
    args = ["audit", "--repo", str(repo), *options, "--format", "md", "--out", str(out)]
    script = (
        "import sys; from readmit.cli import main\n"
        "try:\n"
        f"    main({args!r})\n"
        "except SystemExit as exc:\n"
        "    assert not exc.code, exc.code\n"
        "print(sorted(m for m in sys.modules if m == 'mlflow' or m.startswith('mlflow.')))\n"
    )
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    return ast.literal_eval(proc.stdout.strip().splitlines()[-1])  # the list the script printed


def test_an_audit_without_the_registry_leaves_mlflow_unimported(tmp_path, monkeypatch):
    use_identity(monkeypatch)
    repo = one_commit_repo(tmp_path, "# Written by readmit promote; do not edit by hand.\n", "bootstrap")
    assert mlflow_modules_after_audit(repo, tmp_path / "audit.md", "--no-registry") == []
    assert (tmp_path / "audit.md").read_text().startswith("# Deployment audit")


def test_an_audit_with_the_registry_reads_it_in_a_process_of_its_own(tmp_path, monkeypatch):
    """A fresh CLI process (no MLflow loaded) reads the registry in the spawned reader: the comparison is
    in the report, and MLflow was never imported by the auditing process itself."""
    use_identity(monkeypatch)
    use_tmp_mlflow(monkeypatch, tmp_path)  # empty of versions: v7 is missing from it
    repo = one_commit_repo(tmp_path, dump(EnvState({7: {}}, {7: 100}, 7)), "v7 by hand")
    assert mlflow_modules_after_audit(repo, tmp_path / "audit.md") == []
    assert "version 7 is not in the model registry" in (tmp_path / "audit.md").read_text()
