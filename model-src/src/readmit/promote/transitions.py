"""How a promotion or a rollback changes an environment's live versions (pure: state in, state out)."""

from __future__ import annotations

from readmit.envs.state import EnvState
from readmit.errors import InputError


def promote(state: EnvState, version: int, annotations: dict[str, str], weight: int | None) -> EnvState:
    """`weight` None or 100: the only version at 100%. Else a canary at `weight`% beside the stable default,
    which stays in the file as the rollback target (an older canary is replaced)."""
    if weight is None or weight == 100:
        return EnvState({version: annotations}, {version: 100}, version)
    if not 0 < weight < 100:
        raise InputError(f"--weight {weight}: a canary weight is between 1 and 99; use --full for 100")
    stable = state.default
    if stable is None:
        raise InputError(
            f"--weight {weight}: no live version to share traffic with; promote with --full first"
        )
    if stable == version:
        raise InputError(f"--weight {weight}: version {version} is already the stable version here")
    return EnvState(
        {stable: state.annotations[stable], version: annotations},
        {stable: 100 - weight, version: weight},
        stable,
    )


def shadow(state: EnvState, version: int, annotations: dict[str, str], percent: int) -> EnvState:
    """Shadow mode: `version` becomes the Experiment's mirror at `percent`% beside the live versions,
    which keep all the answers (an older mirror is replaced). A later --weight/--full promotion or a
    rollback ends the shadow."""
    if not 1 <= percent <= 100:
        raise InputError(f"--mirror {percent}: a mirror share is between 1 and 100 percent")
    if state.default is None:
        raise InputError(f"--mirror {percent}: no live version to mirror; promote with --full first")
    if version in state.weights:
        raise InputError(f"--mirror {percent}: version {version} already answers traffic here")
    kept = {v: state.annotations[v] for v in state.weights}
    return EnvState({**kept, version: annotations}, dict(state.weights), state.default, version, percent)


def rollback_target(state: EnvState, history: list[EnvState]) -> tuple[int, int]:
    """(version to restore, version rolled back). A running canary is dropped, else a running shadow;
    otherwise the most recent earlier version that ran alone at 100% comes back. `history` is the env's
    past states, oldest first."""
    if state.default is None:
        raise InputError("rollback: no version is live in this environment; nothing to roll back")
    if state.canary is not None:
        return state.default, state.canary
    if state.mirror is not None:
        return state.default, state.mirror
    for past in reversed(history):
        if len(past.weights) == 1 and past.default is not None and past.default != state.default:
            return past.default, state.default
    raise InputError(
        f"rollback: version {state.default} is the first version that ran here; nothing to restore"
    )
