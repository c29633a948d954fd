"""Evaluate a policy's `deny` set with regopy, each evaluation in its own subprocess.

rego-cpp 1.5.x can segfault; a crash must surface as an error naming the policy, never as a pass.
Each input gets a fresh interpreter so no state leaks between evaluations.
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys
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
    query = policy.query if rule == "deny" else policy.rule_query(rule)
    request = {"modules": modules(policy), "query": query, "inputs": documents}
    try:
        proc = subprocess.run(
            WORKER, input=json.dumps(request), capture_output=True, text=True, timeout=TIMEOUT_S, check=False
        )
    except subprocess.TimeoutExpired as exc:
        raise PolicyError(f"{policy.name}: the Rego engine timed out after {TIMEOUT_S}s") from exc
    if proc.returncode != 0:
        raise PolicyError(f"{policy.name}: the Rego engine {_how_it_died(proc.returncode)}; not a pass")
    try:
        reply = json.loads(proc.stdout)
    except json.JSONDecodeError as exc:
        raise PolicyError(f"{policy.name}: the Rego engine returned no result; not a pass") from exc
    if "error" in reply:
        raise PolicyError(f"{policy.name}: {reply['error']}")
    return [sorted(messages) for messages in reply["results"]]


def _how_it_died(code: int) -> str:
    if code < 0:
        try:
            return f"crashed ({signal.Signals(-code).name})"
        except ValueError:
            return f"crashed (signal {-code})"
    return f"exited with status {code}"
