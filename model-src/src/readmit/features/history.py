"""A patient's visit history as of the index discharge, and its aggregates (windows, recency, lab trends).

Leakage rule: an event counts only if it ended at or before the index discharge. With days known
(FHIR) that is discharge_day <= index discharge_day; without days (UCI) it is encounter_seq < index seq.
An earlier stay's own outcome (readmitted within 30 days or not) is used only once it was knowable at
the index discharge: its 30-day window closed by then. Without days (UCI) that is never provable, so the
outcome features stay missing.
"""

from __future__ import annotations

import json
import math

from readmit.features.clean import LAB_REFERENCE, finite, normalize_lab

WINDOWS = (30, 90, 365)
CLASSES = ("inpatient", "emergency", "outpatient", "other")
READMISSION_WINDOW = 30
OUTCOME_COLUMNS = ("hist_prior_outcomes_known", "hist_prior_readmitted", "hist_last_known_readmitted")


def _loads(value, default):
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return default
    return default if value is None else value


def _before_discharge(entry: dict, index_seq, index_discharge) -> bool:
    end = entry.get("discharge_day")
    if finite(end) and finite(index_discharge):
        return end <= index_discharge
    seq = entry.get("encounter_seq")
    return finite(seq) and finite(index_seq) and seq < index_seq


def _labs(raw, cutoff) -> dict[str, list[float]]:
    """Normalised values per known lab, in time order, dropping points measured after `cutoff`."""
    labs = {}
    for name, points in (raw or {}).items():
        if name not in LAB_REFERENCE or not isinstance(points, list):
            continue
        kept = [
            p
            for p in points
            if isinstance(p, list)
            and len(p) == 2
            and finite(p[1])
            and not (finite(p[0]) and finite(cutoff) and p[0] > cutoff)
        ]
        kept.sort(key=lambda p: p[0] if finite(p[0]) else -math.inf)
        if kept:
            labs[name] = [normalize_lab(name, float(p[1])) for p in kept]
    return labs


def _encounter(entry: dict, cls: str, cutoff) -> dict:
    return {
        "class": cls if cls in CLASSES else "other",
        "admit_day": entry.get("admit_day"),
        "discharge_day": entry.get("discharge_day"),
        "los": float(entry["los_days"]) if finite(entry.get("los_days")) else 0.0,
        "dx": [str(c) for c in _loads(entry.get("dx_codes"), [])],
        "meds": [str(c) for c in _loads(entry.get("med_codes"), [])],
        "procs": [str(c) for c in _loads(entry.get("proc_codes"), [])],
        "labs": _labs(_loads(entry.get("labs"), {}), cutoff),
    }


def timeline(row: dict) -> list[dict]:
    """The prior encounters that ended by the index discharge, in order, then the index encounter last."""
    index_seq, index_discharge = row.get("encounter_seq"), row.get("discharge_day")
    entries = [e for e in _loads(row.get("history"), []) if isinstance(e, dict)]
    kept = [e for e in entries if _before_discharge(e, index_seq, index_discharge)]
    kept.sort(
        key=lambda e: (
            e["discharge_day"] if finite(e.get("discharge_day")) else -math.inf,
            e.get("encounter_seq") if finite(e.get("encounter_seq")) else -1,
        )
    )
    prior = [_encounter(e, e.get("encounter_class", "other"), index_discharge) for e in kept]
    return prior + [_encounter(row, "inpatient", index_discharge)]


def known_outcomes(events: list[dict]) -> list[float]:
    """1/0 per earlier inpatient stay whose 30-day window had closed by the index discharge, oldest first:
    1 when an inpatient admission (an earlier one or the index itself) began within the window."""
    index = events[-1]
    end = index["discharge_day"]
    if not finite(end):
        return []
    stays = [e for e in events if e["class"] == "inpatient"]
    out = []
    for stay in stays[:-1] if stays and stays[-1] is index else stays:
        left = stay["discharge_day"]
        if not finite(left) or left + READMISSION_WINDOW > end:
            continue  # still open at the index discharge (or undated): its outcome was not yet known
        out.append(
            float(
                any(
                    e is not stay
                    and finite(e["admit_day"])
                    and 0 <= e["admit_day"] - left <= READMISSION_WINDOW
                    for e in stays
                )
            )
        )
    return out


def aggregates(events: list[dict]) -> dict[str, float]:
    """Counts in windows before the index admission, recency, prior length of stay and lab trends."""
    index, prior = events[-1], events[:-1]
    start = index["admit_day"]
    out: dict[str, float] = {"hist_n_prior": float(len(prior))}
    for cls in CLASSES:
        out[f"hist_n_{cls}"] = float(sum(e["class"] == cls for e in prior))
    gaps = [start - e["discharge_day"] for e in prior if finite(start) and finite(e["discharge_day"])]
    for window in WINDOWS:
        for cls in ("inpatient", "emergency"):
            out[f"hist_{cls}_{window}d"] = (
                float(sum(0 <= g <= window and e["class"] == cls for g, e in zip(gaps, prior, strict=True)))
                if finite(start)
                else math.nan
            )
    out["hist_days_since_discharge"] = (
        float(min(g for g in gaps if g >= 0)) if any(g >= 0 for g in gaps) else math.nan
    )
    out["hist_prior_los_sum"] = float(sum(e["los"] for e in prior if e["class"] == "inpatient"))
    out["hist_prior_dx_mean"] = float(sum(len(e["dx"]) for e in prior) / len(prior)) if prior else 0.0
    outcomes = known_outcomes(events)
    out["hist_prior_outcomes_known"] = float(len(outcomes)) if finite(index["discharge_day"]) else math.nan
    out["hist_prior_readmitted"] = float(sum(outcomes)) if outcomes else math.nan
    out["hist_last_known_readmitted"] = outcomes[-1] if outcomes else math.nan
    for name in LAB_REFERENCE:
        series = [v for e in events for v in e["labs"].get(name, [])]
        out[f"lab_{name}_last"] = series[-1] if series else math.nan
        out[f"lab_{name}_trend"] = series[-1] - series[0] if len(series) > 1 else math.nan
        out[f"lab_{name}_n"] = float(len(series))
    return out
