"""The main job, end to end on synthetic data: the same `readmit` commands a user or a pipeline runs.

synthesize -> ingest -> train -> gate -> promote to dev (in a throw-away clone whose `origin` is a bare
repository, so the user's checkout is never touched) -> audit. Every step is a real CLI call in a
subprocess, so the demo shows exactly what the commands print.
"""

from __future__ import annotations

import os
import secrets
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from readmit import envs, git, registry
from readmit.errors import CheckFailed, InputError
from readmit.paths import shared_dir


@dataclass(frozen=True)
class DemoConfig:
    work: Path
    repo: Path
    patients: int = 3000
    seed: int = 7
    env: str | None = None  # None: the first environment of the promotion order


def _say(msg: str) -> None:
    print(f"demo: {msg}", flush=True)


def _readmit(args: list[str], env: dict[str, str], cwd: Path | None = None, check: bool = True) -> int:
    """Run one `readmit` command, streaming its output; a failure stops the demo naming the step."""
    _say("$ readmit " + " ".join(args))
    started = time.monotonic()
    code = subprocess.call([sys.executable, "-m", "readmit", *args], env=env, cwd=cwd)
    _say(f"  ({time.monotonic() - started:.1f} s, exit {code})")
    if check and code != 0:
        raise CheckFailed(f"demo step `readmit {args[0]}` failed with exit code {code}")
    return code


def demo_environment(work: Path) -> dict[str, str]:
    """Child environment: a pseudonym key (generated if absent, never saved) and the demo's own MLflow."""
    env = dict(os.environ)
    if not env.get("READMIT_PSEUDONYM_KEY"):
        env["READMIT_PSEUDONYM_KEY"] = secrets.token_hex(32)
        _say(
            "READMIT_PSEUDONYM_KEY is not set: generated a throw-away key for this run (kept in memory only)"
        )
    env.setdefault("MLFLOW_TRACKING_URI", f"sqlite:///{work / 'mlflow.db'}")
    env["READMIT_HOME"] = str(work)
    # The throw-away clone has no ../shared beside it: point it at the user's.
    env.setdefault("READMIT_SHARED", str(shared_dir()))
    env.setdefault("GIT_AUTHOR_NAME", "readmit demo")
    env.setdefault("GIT_AUTHOR_EMAIL", "demo@readmit.invalid")
    env.setdefault("GIT_COMMITTER_NAME", env["GIT_AUTHOR_NAME"])
    env.setdefault("GIT_COMMITTER_EMAIL", env["GIT_AUTHOR_EMAIL"])
    return env


def throwaway_clone(repo: Path, work: Path) -> Path:
    """A bare copy of the committed HEAD as `origin`, and a checkout of it to promote in."""
    if not (repo / ".git").exists():
        raise InputError(f"{repo}: not a git checkout; run the demo from a clone of this repository")
    bare, checkout = work / "remote.git", work / "checkout"
    git.clone(repo, bare, bare=True)
    git.clone(bare, checkout)
    return checkout


def candidate_version() -> int:
    """The version `readmit train` just registered: it carries the `candidate` alias."""
    version = registry.alias_version(registry.CANDIDATE_ALIAS)
    if version is None:
        raise CheckFailed(
            f"no version of {registry.MODEL_NAME!r} has alias {registry.CANDIDATE_ALIAS!r} after training"
        )
    return version


def run(cfg: DemoConfig) -> Path:
    """Run the loop; returns the path of the audit report."""
    if cfg.work.exists():
        shutil.rmtree(cfg.work)
    cfg.work.mkdir(parents=True)
    env = demo_environment(cfg.work)
    os.environ.update(env)  # this process reads the same registry as its children
    export, dataset, train_dir = cfg.work / "fhir-export", cfg.work / "dataset", cfg.work / "train"
    _readmit(
        [
            "data",
            "synth",
            "--patients",
            str(cfg.patients),
            "--seed",
            str(cfg.seed),
            "--out",
            str(export),
            "--truth",
            str(cfg.work / "ground-truth.csv"),
        ],
        env,
    )
    _readmit(["data", "ingest", "--source", "fhir", "--input", str(export), "--out", str(dataset)], env)
    _readmit(["data", "validate", str(dataset)], env)
    _readmit(["train", "--data", str(dataset), "--seed", str(cfg.seed), "--out", str(train_dir)], env)
    version = candidate_version()
    target = cfg.env or envs.names(cfg.repo)[0]
    _readmit(["gate", "--version", str(version), "--env", target], env)
    checkout = throwaway_clone(cfg.repo, cfg.work)
    pr = cfg.work / "pull-request.md"
    _readmit(
        [
            "promote",
            "--env",
            target,
            "--version",
            str(version),
            "--full",
            "--reason",
            "demo: first model on synthetic data",
            "--repo",
            str(checkout),
            "--push",
            "origin",
            "--pr-out",
            str(pr),
        ],
        env,
        cwd=checkout,
    )
    report = cfg.work / "audit.html"
    _readmit(["audit", "--format", "html", "--out", str(report)], env, cwd=checkout)
    print("\n" + pr.read_text(), flush=True)
    pushed = git.run(checkout, "branch", "--list", "--format=%(refname:short)", "promote/*").strip()
    _say(f"pushed branch: {pushed}")
    _say(f"pull-request description: {pr}")
    _say(f"audit report: {report}")
    return report
