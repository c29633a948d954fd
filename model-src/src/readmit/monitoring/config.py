"""The one place where drift methods, thresholds and sample sizes are set.

A method or threshold of None lets Evidently choose per column: K-S (numerical) or chi-square/Z (categorical)
with a p-value threshold of 0.05 when the reference sample has at most 1,000 rows, normed Wasserstein
(numerical) or Jensen-Shannon (categorical) with a distance threshold of 0.1 above that.
Numerical columns are set to binned Jensen-Shannon here: the count features (prior stays, encounter
sequence) are heavy-tailed, and normed Wasserstein flagged them between two samples of one synthetic
population (5 of 25 features at 3,000 rows), while Jensen-Shannon flagged none. The chosen method
is read back from Evidently's result and written to drift.json, so the report always says what ran.

Sampling: Evidently's p-value tests flag tiny, clinically meaningless differences on large inputs
(evidently#50, #1526), so both sides are sampled (stratified) to at most the sizes below; the sizes
before and after sampling are recorded.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class DriftConfig:
    reference_sample: int = 5_000
    current_sample: int = 5_000
    seed: int = 0
    # Dataset drift: at least this share of the monitored features drifted (Evidently's drift_share);
    # 0.05 of 25 features means two, e.g. age and the diagnosis count of an older population.
    drift_share: float = 0.05
    num_method: str | None = "jensenshannon"
    cat_method: str | None = None
    num_threshold: float | None = None
    cat_threshold: float | None = None
    per_column_method: dict[str, str] = field(default_factory=dict)
    per_column_threshold: dict[str, float] = field(default_factory=dict)
    # Prediction (risk) drift: PSI of the score, the usual credit-risk reading (>= 0.2 is a real shift).
    prediction_method: str = "psi"
    prediction_threshold: float = 0.2
    # Specific primary-diagnosis codes kept as their own category (the rest is "other").
    top_codes: int = 15


DEFAULT = DriftConfig()


@dataclass(frozen=True)
class CanaryConfig:
    """How a canary is judged. The ladder is the one list of canary weights: a canary steps to the next
    weight above its current one, never past the environment's canary limit (the limit itself is a step),
    and then to 100 (a full promotion)."""

    ladder: tuple[int, ...] = (10, 50, 100)
    # Below these, a comparison says "wait": too little traffic never passes.
    min_requests: int = 300
    min_scored_rows: int = 300
    min_outcomes_per_class: int = 20
    # Errors (HTTP 5xx): roll back when the lower 95% bound of the canary's rate exceeds the default's
    # rate plus this margin; pass when enough requests and the point rate is within it.
    error_margin: float = 0.01
    # p99 latency: roll back above default p99 x ratio + slack.
    latency_ratio: float = 1.5
    latency_slack_ms: float = 20.0
    # Score shift between the arms and risk-band mix: a new model may move scores, so these hold for a
    # reviewer rather than roll back.
    psi_hold: float = 0.25
    band_share_hold: float = 0.10
    # Realised performance: roll back when the bootstrap interval of canary-minus-default ROC-AUC lies
    # entirely below -auc_margin.
    auc_margin: float = 0.0
    bootstrap_rounds: int = 200
    seed: int = 0


CANARY = CanaryConfig()
