"""An audit that reads no registry does not import MLflow (its import alone takes about a second)."""

from __future__ import annotations

import subprocess
import sys

from git_repos import git, use_identity


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
