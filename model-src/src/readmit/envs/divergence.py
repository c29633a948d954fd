"""Git against the registry's environment aliases: the one rule `readmit registry sync [--check]` and the
audit's registry comparison share. An environment's alias must name the version serving its stable
traffic (the Experiment's `default`; a canary does not move it); with nothing live, no alias."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from readmit.envs import order, state
from readmit.envs.state import MODELS_FILE


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
    """env -> the stable version in its checked-out models.yaml (None when nothing is live), for each
    environment of environments/order.yaml, in promotion order."""
    live = {env: state.read(Path(repo), env) for env in order.names(repo)}
    return {env: current.default if current else None for env, current in live.items()}


def divergence(live: dict[str, int | None], aliases: dict[str, int]) -> list[Divergence]:
    """Environments whose alias differs from git (aliases of other names, like candidate, are not ours)."""
    return [
        Divergence(env, version, aliases.get(env))
        for env, version in live.items()
        if aliases.get(env) != version
    ]
