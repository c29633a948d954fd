"""`readmit registry sync [--check]`: the registry mirrors git and never leads it.

After a promotion is merged, the MLflow alias named like each environment points at the version that
serves that environment's stable traffic in `environments/<env>/models.yaml` (the Experiment's
`default`; a canary does not move it). An environment with no live version has no alias. `--check`
only reports where they differ. `divergence()` is pure, so any reader of the registry (the audit) can
compare with the same rule.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from readmit import registry
from readmit.envs import state
from readmit.envs.state import MODELS_FILE
from readmit.errors import CheckFailed


@dataclass(frozen=True)
class Divergence:
    env: str
    in_git: int | None
    in_registry: int | None

    def line(self) -> str:
        def show(version: int | None) -> str:
            return f"v{version}" if version is not None else "no version"

        return (
            f"registry-sync: alias {self.env!r} points at {show(self.in_registry)} but "
            f"environments/{self.env}/{MODELS_FILE} serves {show(self.in_git)}"
        )


def live_versions(repo: Path) -> dict[str, int | None]:
    """env -> the stable version in its checked-out models.yaml (None when nothing is live)."""
    out: dict[str, int | None] = {}
    for path in sorted(Path(repo, "environments").glob(f"*/{MODELS_FILE}")):
        out[path.parent.name] = state.read(Path(repo), path.parent.name).default
    return out


def divergence(live: dict[str, int | None], aliases: dict[str, int]) -> list[Divergence]:
    """Environments whose alias differs from git (aliases of other names, like candidate, are not ours)."""
    return [
        Divergence(env, version, aliases.get(env))
        for env, version in live.items()
        if aliases.get(env) != version
    ]


def check(repo: Path) -> list[Divergence]:
    found = divergence(live_versions(repo), registry.aliases())
    if found:
        raise CheckFailed(
            f"the registry differs from git in {len(found)} environment(s); run `readmit registry sync`",
            [d.line() for d in found],
        )
    return found


def sync(repo: Path) -> list[Divergence]:
    """Move (or drop) each diverging alias to what git says; returns what was changed."""
    found = divergence(live_versions(repo), registry.aliases())
    for d in found:
        if d.in_git is None:
            registry.delete_alias(d.env)
        else:
            registry.version_info(d.in_git)  # InputError naming the version when git serves an unknown one
            registry.set_alias(d.env, d.in_git)
    return found
