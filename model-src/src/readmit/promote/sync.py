"""`readmit registry sync [--check]`: the registry mirrors git and never leads it.

After a promotion is merged, the MLflow alias named like each environment points at the version that
serves that environment's stable traffic in `environments/<env>/models.yaml` (the Experiment's
`default`; a canary does not move it). An environment with no live version has no alias. `--check`
only reports where they differ. The rule itself is `readmit.envs.divergence`, which the audit's registry
comparison uses too.
"""

from __future__ import annotations

from pathlib import Path

from readmit import registry
from readmit.envs.divergence import Divergence, divergence, live_versions
from readmit.errors import CheckFailed


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
