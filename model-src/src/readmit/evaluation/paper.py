"""Our operating point at the recall the seed paper reports, for the model card's honest comparison.

The paper's figures (undisclosed data and split) are constants here; the threshold that reaches its
recall is chosen on validation and applied to test, like the deployed threshold.
"""

from __future__ import annotations

import numpy as np

from readmit.evaluation.metrics import at_threshold
from readmit.models.threshold import choose

SEED_PAPER = {"roc_auc": 0.89, "precision": 0.82, "recall": 0.79, "f1": 0.80}


def at_paper_recall(val: dict, test: dict, recall: float = SEED_PAPER["recall"]) -> dict:
    """{"target_recall", "threshold", "precision", "recall", "f1"} on test; `val`/`test` hold "y", "p"."""
    threshold = choose(np.asarray(val["y"]), np.asarray(val["p"]), min_recall=recall)
    return {"target_recall": recall, "threshold": threshold, **at_threshold(test["y"], test["p"], threshold)}
