"""Comparisons of what the arms answer: score shift (PSI) and risk-band mix (hold on failure), and realised
ROC-AUC once outcomes are known (roll back when its interval lies below the default's)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from readmit.monitoring.canary.answers import arm_rows
from readmit.monitoring.canary.verdict import FAIL, HOLD, PASS, ROLLBACK, WAIT, Arms, Check
from readmit.monitoring.config import CanaryConfig
from readmit.monitoring.stats import METRICS, psi


def scores(rows: pd.DataFrame, arms: Arms, c: CanaryConfig) -> list[Check]:
    canary, default = arm_rows(rows, arms.canary), arm_rows(rows, arms.default)
    enough = min(len(canary), len(default)) >= c.min_scored_rows
    need = f"; need {c.min_scored_rows} scored stays per arm"
    shift = psi(default["readmission_risk"], canary["readmission_risk"]) if enough else float("nan")
    detail = f"PSI of canary scores against default {shift:.3f} (hold above {c.psi_hold})"
    checks = [
        Check(
            "score shift (PSI)",
            WAIT if not enough else PASS if shift <= c.psi_hold else FAIL,
            HOLD,
            detail + ("" if enough else need),
            {"psi": shift, "canary_rows": len(canary), "default_rows": len(default)},
        )
    ]
    bands = sorted(set(canary["risk_band"].dropna()) | set(default["risk_band"].dropna()))
    mix = {
        b: {
            "canary": float((canary["risk_band"] == b).mean()) if len(canary) else 0.0,
            "default": float((default["risk_band"] == b).mean()) if len(default) else 0.0,
        }
        for b in bands
    }
    gap = max((abs(v["canary"] - v["default"]) for v in mix.values()), default=0.0)
    text = ", ".join(f"{b} {v['canary']:.0%} vs {v['default']:.0%}" for b, v in mix.items())
    status = WAIT if not enough else PASS if gap <= c.band_share_hold else FAIL
    checks.append(
        Check(
            "risk-band mix",
            status,
            HOLD,
            f"{text}; largest gap {gap:.0%}" + ("" if enough else need),
            {"mix": mix, "largest_gap": gap},
        )
    )
    return checks


def performance(rows: pd.DataFrame, outcomes: pd.DataFrame, arms: Arms, c: CanaryConfig) -> Check:
    joined = rows.merge(outcomes, on="encounter_key", how="inner")
    canary, default = arm_rows(joined, arms.canary), arm_rows(joined, arms.default)
    counts = {
        name: (int(f["label"].sum()), int((f["label"] == 0).sum()))
        for name, f in (("canary", canary), ("default", default))
    }
    figures = {"outcomes": counts}
    if min(min(v) for v in counts.values()) < c.min_outcomes_per_class:
        return Check(
            "realised ROC-AUC",
            WAIT,
            ROLLBACK,
            f"outcomes (readmitted, not) canary {counts['canary']}, default {counts['default']}; "
            f"need {c.min_outcomes_per_class} of each per arm",
            figures,
        )
    auc = METRICS["roc_auc"]
    a1, a0 = (
        auc(canary["label"].to_numpy(), canary["readmission_risk"].to_numpy()),
        auc(default["label"].to_numpy(), default["readmission_risk"].to_numpy()),
    )
    rng = np.random.default_rng(c.seed)
    diffs = []
    for _ in range(c.bootstrap_rounds):
        i1, i0 = rng.integers(0, len(canary), len(canary)), rng.integers(0, len(default), len(default))
        y1, y0 = canary["label"].to_numpy()[i1], default["label"].to_numpy()[i0]
        if 0 < y1.sum() < len(y1) and 0 < y0.sum() < len(y0):
            diffs.append(
                auc(y1, canary["readmission_risk"].to_numpy()[i1])
                - auc(y0, default["readmission_risk"].to_numpy()[i0])
            )
    low, high = np.percentile(diffs, [2.5, 97.5]) if diffs else (np.nan, np.nan)
    figures |= {"canary_auc": a1, "default_auc": a0, "difference_ci": [float(low), float(high)]}
    detail = f"ROC-AUC canary {a1:.3f} vs default {a0:.3f}; difference 95% CI {low:+.3f} to {high:+.3f}"
    return Check("realised ROC-AUC", FAIL if high < -c.auc_margin else PASS, ROLLBACK, detail, figures)
