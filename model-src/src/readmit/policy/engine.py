"""Evaluate policies' `deny` sets with regopy in engine subprocesses.

rego-cpp 1.5.x can segfault; a crash must surface as an error naming the policy, never as a pass.
Each input gets a fresh interpreter so no state leaks between evaluations. Starting an engine process
costs more than most evaluations, so several policies share one process: one per core, not one per
policy.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from readmit import paths
from readmit.errors import CheckFailed, InputError

# Replaced in tests to make the worker die the way a crashing engine would.
WORKER = [sys.executable, "-m", "readmit.policy.worker"]
TIMEOUT_S = 120


class PolicyError(CheckFailed):
    """The engine could not evaluate a policy (crash, syntax error, missing rule): never a pass."""


@dataclass(frozen=True)
class Policy:
    name: str
    path: Path

    @property
    def package(self) -> str:
        return "readmit." + self.name.replace("-", "_")

    @property
    def query(self) -> str:
        return self.rule_query("deny")

    def rule_query(self, rule: str) -> str:
        """`deny`, or `warn` (conftest's advisory set: reported, never blocking)."""
        return f"data.{self.package}.{rule}"


def policies_dir(repo: Path | None = None) -> Path:
    return Path(repo or paths.repo_root()) / "policies"


def discover(repo: Path | None = None) -> list[Policy]:
    """Every `policies/<name>/policy.rego`, sorted by name."""
    root = policies_dir(repo)
    return [Policy(p.parent.name, p.parent) for p in sorted(root.glob("*/policy.rego"))]


def get(name: str, repo: Path | None = None) -> Policy:
    path = policies_dir(repo) / name
    if not (path / "policy.rego").is_file():
        raise InputError(
            f"{path}/policy.rego: no such policy; choose one of {[p.name for p in discover(repo)]}"
        )
    return Policy(name, path)


def modules(policy: Policy) -> dict[str, str]:
    """The policy plus every shared helper in `policies/lib/`, keyed by a path that errors can cite."""
    files = sorted((policy.path.parent / "lib").glob("*.rego")) + [policy.path / "policy.rego"]
    return {f"{f.parent.name}/{f.name}": f.read_text() for f in files}


def evaluate(policy: Policy, document: dict, rule: str = "deny") -> list[str]:
    """The sorted deny (or `rule`) messages of `policy` for one input document."""
    return evaluate_many(policy, [document], rule)[0]


def evaluate_many(policy: Policy, documents: list[dict], rule: str = "deny") -> list[list[str]]:
    """Messages per document; one subprocess for the batch, a fresh interpreter per document."""
    return _run_worker([policy], documents, rule)[0]


def evaluate_all(policies: list[Policy], documents: list[dict], rule: str = "deny") -> list[list[list[str]]]:
    """Messages per policy, then per document: the policies split over one engine process per core (at
    most), the processes side by side."""
    with Engines(len(policies)) as engines:
        return engines.evaluate_all(policies, documents, rule)


def shares(policy_count: int) -> int:
    """How many engine processes `policy_count` policies are split over: one per core at most."""
    return min(policy_count, os.cpu_count() or 1)


class Engines:
    """Engine processes started before their input exists: a caller that knows it will evaluate
    `policy_count` policies starts them first, so the interpreter and regopy load while it works."""

    def __init__(self, policy_count: int):
        self._idle = [_spawn() for _ in range(shares(policy_count))]

    def __enter__(self) -> Engines:
        return self

    def __exit__(self, *exc) -> None:
        for proc in self._idle:
            proc.kill()
            proc.communicate()
        self._idle = []

    def evaluate_all(
        self, policies: list[Policy], documents: list[dict], rule: str = "deny"
    ) -> list[list[list[str]]]:
        if not policies:
            return []
        count = shares(len(policies))
        groups = [policies[i::count] for i in range(count)]
        procs = [self._idle.pop() if self._idle else _spawn() for _ in groups]
        with ThreadPoolExecutor(max_workers=count) as pool:
            replies = list(
                pool.map(
                    lambda job: _collect(job[0], job[1], documents, rule), zip(procs, groups, strict=True)
                )
            )
        by_name = {}
        for group, reply in zip(groups, replies, strict=True):
            by_name.update({p.name: r for p, r in zip(group, reply, strict=True)})
        return [by_name[p.name] for p in policies]


def _spawn() -> subprocess.Popen:
    return subprocess.Popen(
        WORKER, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


def _run_worker(policies: list[Policy], documents: list[dict], rule: str) -> list[list[list[str]]]:
    """One engine subprocess evaluating each policy on every document."""
    return _collect(_spawn(), policies, documents, rule)


def _collect(
    proc: subprocess.Popen, policies: list[Policy], documents: list[dict], rule: str
) -> list[list[list[str]]]:
    """Send the started engine its request (each policy on every document) and read its reply."""
    names = ", ".join(p.name for p in policies)
    jobs = [
        {"modules": modules(p), "query": p.query if rule == "deny" else p.rule_query(rule)} for p in policies
    ]
    request = {"jobs": jobs, "inputs": documents}
    try:
        stdout, _ = proc.communicate(json.dumps(request), timeout=TIMEOUT_S)
    except subprocess.TimeoutExpired as exc:
        proc.kill()
        proc.communicate()
        raise PolicyError(f"{names}: the Rego engine timed out after {TIMEOUT_S}s") from exc
    if proc.returncode != 0:
        raise PolicyError(f"{names}: the Rego engine {_how_it_died(proc.returncode)}; not a pass")
    try:
        replies = json.loads(stdout)["replies"]
    except (json.JSONDecodeError, KeyError, TypeError) as exc:
        raise PolicyError(f"{names}: the Rego engine returned no result; not a pass") from exc
    if len(replies) != len(policies):
        raise PolicyError(f"{names}: the Rego engine answered {len(replies)} of {len(policies)}; not a pass")
    out = []
    for policy, reply in zip(policies, replies, strict=True):
        if "error" in reply:
            raise PolicyError(f"{policy.name}: {reply['error']}")
        out.append([sorted(messages) for messages in reply["results"]])
    return out


def _how_it_died(code: int) -> str:
    if code < 0:
        try:
            return f"crashed ({signal.Signals(-code).name})"
        except ValueError:
            return f"crashed (signal {-code})"
    return f"exited with status {code}"
