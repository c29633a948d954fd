"""Realised performance (pure): logged scores joined with the 30-day outcomes that arrive later, per time
window, each metric with a bootstrap interval, compared with the model card's held-out test figures.

A window is flagged degraded on a metric when its whole 95% interval lies on the wrong side of the card's
figure (below it for ROC-AUC and AUPRC, above it for the expected calibration error); the calibration
slope and intercept (point estimates: each refits a logistic model) are reported beside the card's
without a flag. A window with too few readmitted or
not-readmitted stays is reported as insufficient, never as fine.
"""

from __future__ import annotations

import math

import pandas as pd

from readmit.monitoring.stats import CALIBRATION, METRICS, bootstrap

WINDOWS = {"day": "D", "week": "W", "month": "M"}
HIGHER_IS_BETTER = {"roc_auc": True, "auprc": True, "ece": False}
MIN_PER_CLASS = 20


def joined(rows: pd.DataFrame, outcomes: pd.DataFrame) -> pd.DataFrame:
    """Scored stays that have an outcome (the last score of a stay if it was scored more than once)."""
    last = rows.sort_values("ts").drop_duplicates("encounter_key", keep="last")
    return last.merge(outcomes, on="encounter_key", how="inner")


def _window(frame: pd.DataFrame, card: dict[str, float], rounds: int, seed: int) -> dict:
    y, p = frame["label"].to_numpy(), frame["readmission_risk"].to_numpy()
    positives = int(y.sum())
    out = {"n": int(len(y)), "readmitted": positives, "metrics": {}, "degraded": [], "sufficient": True}
    if min(positives, len(y) - positives) < MIN_PER_CLASS:
        out["sufficient"] = False
        return out
    for name, metric in METRICS.items():
        point, low, high = bootstrap(y, p, metric, rounds, seed)
        reference = card.get(name)
        out["metrics"][name] = {"value": point, "low": low, "high": high, "card": reference}
        if name in HIGHER_IS_BETTER and reference is not None and not math.isnan(high):
            below = high < reference if HIGHER_IS_BETTER[name] else low > reference
            if below:
                out["degraded"].append(name)
    for name, metric in CALIBRATION.items():
        point = float(metric(y, p))
        out["metrics"][name] = {"value": point, "low": math.nan, "high": math.nan, "card": card.get(name)}
    return out


def realised(
    rows: pd.DataFrame,
    outcomes: pd.DataFrame,
    card: dict[str, float],
    window: str = "week",
    rounds: int = 200,
    seed: int = 0,
) -> dict:
    """Per window (labelled by its start) and over all windows: metrics, intervals, card figures, flags."""
    data = joined(rows, outcomes)
    periods = data["ts"].dt.tz_convert(None).dt.to_period(WINDOWS[window])
    windows = {}
    for period, frame in data.groupby(periods, sort=True):
        windows[str(period.start_time.date())] = _window(frame, card, rounds, seed)
    overall = _window(data, card, rounds, seed)
    return {
        "window": window,
        "card": card,
        "scored_with_outcome": int(len(data)),
        "scored": int(rows["encounter_key"].nunique()),
        "windows": windows,
        "overall": overall,
        "degraded": sorted({m for w in windows.values() for m in w["degraded"]} | set(overall["degraded"])),
    }


def markdown(result: dict, version: str | None) -> str:
    lines = [f"# Realised performance of readmission v{version or '?'}", ""]
    flagged = result["degraded"]
    lines.append(
        f"{result['scored_with_outcome']} of {result['scored']} scored stays have a 30-day outcome. "
        + (
            f"**Degraded against the model card: {', '.join(flagged)}.**"
            if flagged
            else "No degradation flagged."
        )
    )
    lines += [
        "",
        "| window | n | readmitted | metric | value | 95% CI | card | flag |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for label, w in [*result["windows"].items(), ("all", result["overall"])]:
        if not w["sufficient"]:
            lines.append(
                f"| {label} | {w['n']} | {w['readmitted']} | - | insufficient outcomes | - | - | - |"
            )
            continue
        for name, m in w["metrics"].items():
            card = "-" if m["card"] is None else f"{m['card']:.3f}"
            flag = "DEGRADED" if name in w["degraded"] else ""
            interval = "-" if math.isnan(m["low"]) else f"{m['low']:.3f}-{m['high']:.3f}"
            lines.append(
                f"| {label} | {w['n']} | {w['readmitted']} | {name} | {m['value']:.3f} | {interval} "
                f"| {card} | {flag} |"
            )
    return "\n".join(lines) + "\n"
