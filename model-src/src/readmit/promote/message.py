"""The promotion commit message: a subject, a paragraph, and `git interpret-trailers` compatible trailers."""

from __future__ import annotations

import re

TRAILERS = [
    "Model-Version",
    "Model-Run",
    "Model-Digest",
    "Data-Version",
    "Metrics",
    "Gates",
    "Previous-Version",
    "Promoted-By",
    "Reason",
]


def metrics_text(metrics: dict[str, float]) -> str:
    """`k=v,...` of the held-out test metrics (prefix dropped), sorted, 4 decimals."""
    picked = {k.removeprefix("test_"): v for k, v in metrics.items() if k.startswith("test_")}
    return ",".join(f"{k}={v:.4f}" for k, v in sorted(picked.items()))


def compose(subject: str, body: str, trailers: dict[str, str]) -> str:
    # A trailer value is one line; a newline in a reason would end the trailer block early.
    lines = [f"{k}: {_one_line(v)}" for k, v in trailers.items()]
    return f"{subject}\n\n{body}\n\n" + "\n".join(lines) + "\n"


def _one_line(value: object) -> str:
    return re.sub(r"\s+", " ", str(value)).strip() or "-"
