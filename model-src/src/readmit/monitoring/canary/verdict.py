"""The canary's vocabulary: the arms as git has them, one comparison (Check), the verdict, and the ladder
step a healthy canary advances to."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

ADVANCE, HOLD, ROLLBACK = "advance", "hold", "rollback"
PASS, FAIL, WAIT = "pass", "fail", "wait"


@dataclass(frozen=True)
class Arms:
    """The Experiment as git has it: stable default, canary at `weight`%, optional mirror (shadow)."""

    default: int
    canary: int
    weight: int
    limit: int
    mirror: int | None = None


@dataclass(frozen=True)
class Check:
    name: str
    status: str
    on_fail: str  # ROLLBACK or HOLD
    detail: str
    figures: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Verdict:
    decision: str
    weight: int
    next_weight: int | None
    arms: Arms
    checks: list[Check]
    traffic: dict

    def as_dict(self) -> dict:
        return asdict(self)


def next_weight(current: int, limit: int, ladder: tuple[int, ...]) -> int:
    """The next ladder step above `current` that the env's canary limit allows (the limit is a step)."""
    steps = sorted({s for s in ladder if s <= limit} | {min(limit, 100), 100})
    return next(s for s in steps if s > current) if current < 100 else 100
