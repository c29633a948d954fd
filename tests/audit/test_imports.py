"""An audit that reads no registry does not import MLflow (its import alone takes about a second)."""

from __future__ import annotations

import subprocess
import sys

from git_repos import git, use_identity
from readmit.envs.state import EnvState, dump
from registry_versions import use_tmp_mlflow


def test_an_audit_without_the_registry_leaves_mlflow_unimported(tmp_path, monkeypatch):
    use_identity(monkeypatch)
    repo = tmp_path / "repo"
    (repo / "environments" / "dev").mkdir(parents=True)
    git(tmp_path, "init", "-q", "-b", "main", str(repo))
    (repo / "environments/dev/models.yaml").write_text("# Written by readmit promote; do not edit by hand.\n")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "bootstrap")
    script = (
        "import sys; from readmit.cli import main\n"
        "try:\n"
        f"    main(['audit', '--repo', {str(repo)!r}, '--no-registry', '--format', 'md', '--out', "
        f"{str(tmp_path / 'audit.md')!r}])\n"
        "except SystemExit as exc:\n"
        "    assert not exc.code, exc.code\n"
        "print(sorted(m for m in sys.modules if m == 'mlflow' or m.startswith('mlflow.')))\n"
    )
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert proc.stdout.strip().splitlines()[-1] == "[]"
    assert (tmp_path / "audit.md").read_text().startswith("# Deployment audit")


def test_an_audit_with_the_registry_reads_it_in_a_process_of_its_own(tmp_path, monkeypatch):
    """A fresh CLI process (no MLflow loaded) reads the registry in the spawned reader: the comparison is
    in the report, and MLflow was never imported by the auditing process itself."""
    use_identity(monkeypatch)
    use_tmp_mlflow(monkeypatch, tmp_path)  # empty of versions: v7 is missing from it
    repo = tmp_path / "repo"
    (repo / "environments" / "dev").mkdir(parents=True)
    git(tmp_path, "init", "-q", "-b", "main", str(repo))
    (repo / "environments/dev/models.yaml").write_text(dump(EnvState({7: {}}, {7: 100}, 7)))
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "v7 by hand")
    script = (
        "import sys; from readmit.cli import main\n"
        "try:\n"
        f"    main(['audit', '--repo', {str(repo)!r}, '--format', 'md', '--out', "
        f"{str(tmp_path / 'audit.md')!r}])\n"
        "except SystemExit as exc:\n"
        "    assert not exc.code, exc.code\n"
        "print(sorted(m for m in sys.modules if m == 'mlflow' or m.startswith('mlflow.')))\n"
    )
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert proc.stdout.strip().splitlines()[-1] == "[]"
    assert "version 7 is not in the model registry" in (tmp_path / "audit.md").read_text()
