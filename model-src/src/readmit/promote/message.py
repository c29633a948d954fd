"""The promotion commit message: a subject, a paragraph, and `git interpret-trailers` compatible trailers."""

from __future__ import annotations

import re

from readmit.gates import gate_metrics


def metrics_text(metrics: dict[str, float]) -> str:
    """`k=v,...` of the held-out test metrics (prefix dropped), sorted, 4 decimals."""
    return ",".join(f"{k}={v:.4f}" for k, v in sorted(gate_metrics(metrics).items()))


def compose(subject: str, body: str, trailers: dict[str, str]) -> str:
    # A trailer value is one line; a newline in a reason would end the trailer block early.
    lines = [f"{k}: {_one_line(v)}" for k, v in trailers.items()]
    return f"{subject}\n\n{body}\n\n" + "\n".join(lines) + "\n"


def _one_line(value: object) -> str:
    return re.sub(r"\s+", " ", str(value)).strip() or "-"
