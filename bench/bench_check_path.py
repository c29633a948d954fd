"""Benchmark: the commands a reviewer waits on, each in a fresh process as a user runs them.

- `readmit policy check` of every environment (with and without the registry comparison),
- `readmit manifests check --no-trivy`,
- `readmit promote --env <first> --version N --full` (checks included, trivy on), on a throw-away copy of
  this repo's HEAD with a throw-away MLflow store holding one gated version.

Prints wall time and the CPU seconds of the command and its children (git, kubectl, the Rego engine,
trivy): on a busy machine the CPU figure is the steadier one. Targets (issue 8, quiet 2-core machine):
policy check <= 1.5 s, promote <= 4 s.
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
import yaml
from _results import record

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))

from git_repos import IDENTITY, copy_of_repo  # noqa: E402
from readmit import paths, registry  # noqa: E402
from registry_versions import register, use_tmp_mlflow  # noqa: E402


def timed(label: str, args: list[str], env: dict[str, str], cwd: Path) -> None:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", "readmit", *args], env=env, cwd=cwd, capture_output=True, text=True
    )
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
    last = (proc.stdout.strip() or proc.stderr.strip()).splitlines()[-1:] or [""]
    print(f"{label:44s} wall {wall:5.2f} s  cpu {cpu:5.2f} s  exit {proc.returncode}  {last[0][:80]}")
    target = 4 if args[0] == "promote" else 1.5 if args == ["policy", "check"] else None  # issue 8
    record(
        label,
        wall,
        "s",
        target if proc.returncode == 0 else None,
        note=f"cpu {cpu:.2f} s, exit {proc.returncode}",
    )


def first_environment(repo: Path) -> str:
    """Through readmit.envs; read the file directly when benchmarking code from before readmit.envs."""
    try:
        from readmit import envs
    except ImportError:
        return yaml.safe_load((repo / "environments/order.yaml").read_text())["environments"][0]
    return envs.names(repo)[0]


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="bench-check-path-") as tmp, pytest.MonkeyPatch.context() as mp:
        for key, value in IDENTITY.items():
            mp.setenv(key, value)
        repo = copy_of_repo(REPO, Path(tmp) / "repo")
        model = use_tmp_mlflow(mp, Path(tmp))
        first = first_environment(repo)
        version = register(model)
        registry.set_version_tags(version, {registry.gate_tag(first): "passed"})
        # The copy has no ../shared beside it: read the CRD schemas where this checkout finds them.
        env = {**os.environ, "READMIT_REPO": str(repo), "READMIT_SHARED": str(paths.shared_dir())}
        timed("readmit policy check", ["policy", "check"], env, repo)
        timed("readmit policy check --no-registry", ["policy", "check", "--no-registry"], env, repo)
        timed("readmit manifests check --no-trivy", ["manifests", "check", "--no-trivy"], env, repo)
        timed(
            f"readmit promote --env {first} --version {version} --full",
            ["promote", "--env", first, "--version", str(version), "--full", "--repo", str(repo)],
            env,
            repo,
        )


if __name__ == "__main__":
    main()
