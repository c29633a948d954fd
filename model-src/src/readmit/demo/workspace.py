"""The demo's persistent work dir (default .readmit/demo): a bare copy of the user's committed HEAD as
`origin`, a checkout of it where promotions are made and merged, the MLflow store, and one folder per run
(`runs/<n>/`). A second demo carries on from what the first left: same remote, same registry, next
versions."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from readmit import envs, git
from readmit.demo import shell
from readmit.demo.shell import say
from readmit.errors import InputError
from readmit.paths import shared_dir

REMOTE = "origin"


@dataclass(frozen=True)
class Workspace:
    work: Path
    bare: Path
    checkout: Path
    base: str  # the checkout's main branch, where merged promotions land
    run: Path  # this run's outputs
    number: int  # 1 for the first demo in this work dir
    env: dict[str, str]

    @property
    def mlflow_uri(self) -> str:
        return self.env["MLFLOW_TRACKING_URI"]

    def target(self) -> str:
        """The environment the demo promotes to: the first of the promotion order."""
        return envs.names(self.checkout)[0]


def demo_environment(work: Path) -> dict[str, str]:
    """Child environment: a pseudonym key (generated if absent, never saved) and the demo's own MLflow,
    always: the demo's synthetic versions, aliases and gate results must never reach a real registry."""
    env = dict(os.environ)
    if not env.get("READMIT_PSEUDONYM_KEY"):
        env["READMIT_PSEUDONYM_KEY"] = secrets.token_hex(32)
        say("READMIT_PSEUDONYM_KEY is not set: generated a throw-away key for this run (kept in memory only)")
    own = f"sqlite:///{work / 'mlflow.db'}"
    if env.get("MLFLOW_TRACKING_URI", own) != own or env.get("MLFLOW_REGISTRY_URI"):
        say(f"MLFLOW_TRACKING_URI/MLFLOW_REGISTRY_URI: not used by the demo, which keeps its own store {own}")
    env["MLFLOW_TRACKING_URI"] = own
    env.pop("MLFLOW_REGISTRY_URI", None)
    env["READMIT_HOME"] = str(work)
    # The throw-away clone has no ../shared beside it: point it at the user's.
    env.setdefault("READMIT_SHARED", str(shared_dir()))
    env.setdefault("MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR", "false")  # one line per step, not a bar per file
    env.setdefault("GIT_AUTHOR_NAME", "readmit demo")
    env.setdefault("GIT_AUTHOR_EMAIL", "demo@readmit.invalid")
    env.setdefault("GIT_COMMITTER_NAME", env["GIT_AUTHOR_NAME"])
    env.setdefault("GIT_COMMITTER_EMAIL", env["GIT_AUTHOR_EMAIL"])
    return env


def throwaway_clone(repo: Path, work: Path) -> Path:
    """A bare copy of the committed HEAD as `origin`, and a checkout of it to promote in."""
    if not git.has_rev(repo):
        raise InputError(
            f"{repo}: not a git checkout with a commit; run the demo from a clone of this repository"
        )
    bare, checkout = work / "remote.git", work / "checkout"
    git.clone(repo, bare, bare=True)
    git.clone(bare, checkout)
    return checkout


def open_workspace(work: Path, repo: Path) -> Workspace:
    """Create the work dir on the first run; later runs reuse it and start the next `runs/<n>`."""
    work.mkdir(parents=True, exist_ok=True)
    checkout = work / "checkout"
    if git.has_rev(checkout):
        say(f"carrying on in {work} (`rm -rf {work}` to start over)")
    else:
        throwaway_clone(repo, work)
        say(f"work dir {work}: bare remote remote.git (a copy of your committed HEAD) and its checkout")
    base = git.current(checkout)
    if base.startswith("promote/") or base.startswith("rollback/"):  # an earlier run stopped mid-way
        raise InputError(f"{checkout}: on branch {base}; run `git -C {checkout} checkout -` or start over")
    git.ensure_clean(checkout)
    runs = work / "runs"
    number = 1 + sum(1 for p in runs.iterdir() if p.is_dir()) if runs.is_dir() else 1
    run = runs / str(number)
    run.mkdir(parents=True)
    env = demo_environment(work)
    env["READMIT_INFERENCE_LOG"] = str(run / "inference" / "readmission.jsonl")
    return Workspace(work, work / "remote.git", checkout, base, run, number, env)


def merge(ws: Workspace, branch: str) -> str:
    """The reviewer approves and merges the pull request: fast-forward the main branch to the pushed
    promotion branch (its commit and trailers land unchanged) and push it; returns the merged commit."""
    git.run(ws.checkout, "fetch", "-q", REMOTE, f"refs/heads/{branch}:refs/remotes/{REMOTE}/{branch}")
    if git.current(ws.checkout) != ws.base:
        git.switch(ws.checkout, ws.base)
    git.run(ws.checkout, "merge", "-q", "--ff-only", f"{REMOTE}/{branch}")
    git.push(ws.checkout, REMOTE, ws.base)
    commit = git.run(ws.checkout, "rev-parse", "HEAD").strip()
    say(f"merged pull request {branch} into {ws.base} at {commit[:12]} (pushed to {REMOTE})")
    # In the cluster a push to main triggers the registry-sync pipeline; the demo runs its command.
    shell.readmit(["registry", "sync", "--repo", str(ws.checkout)], ws.env, cwd=ws.checkout)
    return commit
