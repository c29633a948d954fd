"""`readmit gate`: a registered version against the `model-gates` policy of one environment.

Champion of an environment: the registry alias `champion-<env>` when set, else the stable (default)
version of environments/<env>/models.yaml in the repo, git being the source of truth for what is live.
The result is recorded on the version as tags `gate.<env>` (passed|failed) and `gate.<env>.failures`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from readmit import envs, paths, registry
from readmit.envs import state
from readmit.policy import engine

METRIC_PREFIX = "test_"
# The metrics policies/model-gates judges (tests/test_gates.py keeps this equal to the policy), in the
# order a reviewer reads them.
GATED_METRICS = (
    "roc_auc",
    "auprc",
    "calibration_slope",
    "ece",
    "brier",
    "subgroup_auc_gap",
    "subgroup_auc_gap_ci_low",
    "subgroup_auc_gap_ci_high",
    "subgroup_attributes_compared",
)
# Counts among the metrics: MLflow stores every metric as a float, people read them as whole numbers.
COUNT_METRICS = frozenset({"n", "subgroup_attributes_compared"})


@dataclass(frozen=True)
class GateResult:
    version: int
    env: str
    champion: int | None
    failures: list[str]
    warnings: list[str] = field(default_factory=list)  # the policy's `warn` set: shown, not blocking

    @property
    def passed(self) -> bool:
        return not self.failures


def gate_metrics(metrics: dict[str, float]) -> dict[str, float]:
    """The held-out test metrics, without their `test_` prefix."""
    return {k.removeprefix(METRIC_PREFIX): v for k, v in metrics.items() if k.startswith(METRIC_PREFIX)}


def champion_version(env: str, repo: Path | None = None, aliases: dict[str, int] | None = None) -> int | None:
    """The registry alias `champion-<env>` when someone set it, else the stable version live in git.
    `aliases`: the registry's aliases when the caller read them already."""
    alias = f"{registry.CHAMPION_ALIAS}-{env}"
    version = registry.alias_version(alias) if aliases is None else aliases.get(alias)
    if version is not None:
        return version
    live = state.read(Path(repo or paths.repo_root()), env)
    return live.default if live is not None else None


def gate_input(
    env: str, metrics: dict[str, float], champion: int | None, champion_metrics: dict | None
) -> dict:
    gate = {"env": env, "metrics": gate_metrics(metrics), "champion": None}
    if champion is not None:
        gate["champion"] = {"version": champion, "metrics": gate_metrics(champion_metrics or {})}
    return {"objects": [], "context": {}, "gate": gate}


def gate(version: int, env: str, repo: Path | None = None, record: bool = True) -> GateResult:
    """Evaluate the gates, record them on the version, and return every failure."""
    envs.require(env, repo)
    info = registry.version_info(version)
    champion = champion_version(env, repo)
    if champion == info.version:
        champion = None  # re-gating the live version compares it with nothing but the floors
    champion_metrics = registry.version_info(champion).metrics if champion is not None else None
    document = gate_input(env, info.metrics, champion, champion_metrics)
    policy = engine.get("model-gates", repo)
    failures = engine.evaluate(policy, document)
    warnings = engine.evaluate(policy, document, rule="warn")
    if record:
        registry.set_version_tags(
            info.version,
            {
                registry.gate_tag(env): "failed" if failures else "passed",
                f"{registry.gate_tag(env)}.failures": json.dumps(failures),
                f"{registry.gate_tag(env)}.warnings": json.dumps(warnings),
            },
        )
    return GateResult(info.version, env, champion, failures, warnings)
