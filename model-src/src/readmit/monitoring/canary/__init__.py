"""The canary comparison (pure): the arms' logged requests and scored rows in, a verdict with evidence out.

Each comparison is a Check: pass, fail or wait (too little traffic or too few outcomes to judge: never a
pass). The verdict: roll back when a rollback-grade check fails (errors, latency, realised performance),
else hold while any check waits or a hold-grade check fails (score shift, risk-band mix), else advance
to the next step of the ladder.

Modules: `verdict` (types, the ladder), `answers` (errors, latency), `scores` (score shift, band mix,
realised ROC-AUC), `judge` (the decision), `report` (Markdown and the trailer).
"""

from readmit.monitoring.canary.judge import analyze
from readmit.monitoring.canary.report import markdown, one_line
from readmit.monitoring.canary.verdict import (
    ADVANCE,
    FAIL,
    HOLD,
    PASS,
    ROLLBACK,
    WAIT,
    Arms,
    Check,
    Verdict,
    next_weight,
)

__all__ = [
    "ADVANCE",
    "FAIL",
    "HOLD",
    "PASS",
    "ROLLBACK",
    "WAIT",
    "Arms",
    "Check",
    "Verdict",
    "analyze",
    "markdown",
    "next_weight",
    "one_line",
]
