"""A patient's visit history as of the index discharge, and its aggregates (windows, recency, lab trends).

Leakage rule: an event counts only if it ended at or before the index discharge. With days known
(FHIR) that is discharge_day <= index discharge_day; without days (UCI) it is encounter_seq < index seq.
(readmit.features.events applies it when it builds the timelines.) An earlier stay's own outcome
(readmitted within 30 days or not) is used only once it was knowable at the index discharge: its 30-day
window closed by then. Without days (UCI) that is never provable, so the outcome features stay missing.

Every aggregate is a column operation over all rows' events at once, except the earlier-outcome columns
(the optional `prior_outcome` block), which pair each row's inpatient stays in a loop per row.
"""

from __future__ import annotations

import numpy as np

from readmit.features.events import CLASSES, LAB_NAMES, Timelines
from readmit.schema import HISTORY_PRIOR_COUNTS

WINDOWS = (30, 90, 365)
READMISSION_WINDOW = 30
OUTCOME_COLUMNS = ("hist_prior_outcomes_known", "hist_prior_readmitted", "hist_last_known_readmitted")
INPATIENT, EMERGENCY = CLASSES.index("inpatient"), CLASSES.index("emergency")


def known_outcomes(t: Timelines, i: int) -> list[float]:
    """1/0 per earlier inpatient stay of row i whose 30-day window had closed by the index discharge,
    oldest first: 1 when an inpatient admission (an earlier one or the index itself) began within it."""
    first, index = int(t.starts[i]), int(t.starts[i + 1]) - 1
    end = t.discharge[index]
    if end != end:
        return []
    stays = [k for k in range(first, index + 1) if t.cls[k] == INPATIENT]  # the index stay is last
    out = []
    for stay in stays[:-1]:
        left = t.discharge[stay]
        if left != left or left + READMISSION_WINDOW > end:
            continue  # still open at the index discharge (or undated): its outcome was not yet known
        admits = t.admit[[k for k in stays if k != stay]]
        out.append(float(np.any((admits - left >= 0) & (admits - left <= READMISSION_WINDOW))))
    return out


def _outcomes(t: Timelines, n: int) -> dict[str, np.ndarray]:
    known, readmitted, last = np.full(n, np.nan), np.full(n, np.nan), np.full(n, np.nan)
    for i in range(n):
        outcomes = known_outcomes(t, i)
        if t.discharge[t.starts[i + 1] - 1] == t.discharge[t.starts[i + 1] - 1]:
            known[i] = float(len(outcomes))
        if outcomes:
            readmitted[i], last[i] = float(sum(outcomes)), outcomes[-1]
    return dict(zip(OUTCOME_COLUMNS, (known, readmitted, last), strict=True))


def _first_last(rows: np.ndarray, values: np.ndarray, n: int):
    """Per row (rows non-decreasing): first value, last value, count."""
    first, last = np.full(n, np.nan), np.full(n, np.nan)
    if len(rows):
        starts = np.flatnonzero(np.r_[True, rows[1:] != rows[:-1]])
        ends = np.r_[starts[1:], len(rows)] - 1
        first[rows[starts]], last[rows[starts]] = values[starts], values[ends]
    return first, last, np.bincount(rows, minlength=n).astype(np.float64)


def _last_recorded_counts(t: Timelines, n: int) -> dict[str, np.ndarray]:
    """`hist_last_<count>`: the prior-year counts recorded at the latest earlier encounter that has them
    (UCI: how busy the year before the previous stay was, reaching up to two years back)."""
    recorded = ~t.is_index & ~np.isnan(t.recorded_counts[:, 0])
    events = np.flatnonzero(recorded)
    latest = np.full(n, -1)
    np.maximum.at(latest, t.row[events], events)  # events are in time order: highest = latest
    has = latest >= 0
    out = {}
    for k, name in enumerate(HISTORY_PRIOR_COUNTS):
        column = np.full(n, np.nan)
        column[has] = t.recorded_counts[latest[has], k]
        out[f"hist_last_{name}"] = column
    return out


def aggregates(t: Timelines, outcomes: bool = True) -> dict[str, np.ndarray]:
    """Counts in windows before the index admission, recency, prior length of stay and lab trends;
    the earlier-outcome columns only when `outcomes`."""
    n, row, is_index = len(t.starts) - 1, t.row, t.is_index
    prior, prow = ~is_index, row[~is_index]
    count = lambda mask: np.bincount(row[mask], minlength=n).astype(np.float64)  # noqa: E731
    out = {"hist_n_prior": count(prior)}
    for k, cls in enumerate(CLASSES):
        out[f"hist_n_{cls}"] = count(prior & (t.cls == k))
    start = t.admit[t.starts[1:] - 1]
    # an earlier encounter kept by its sequence number alone (no discharge day) has no gap
    gap = start[row] - t.discharge
    dated = prior & ~np.isnan(gap)
    for window in WINDOWS:
        for k in (INPATIENT, EMERGENCY):
            within = count(dated & (gap >= 0) & (gap <= window) & (t.cls == k))
            out[f"hist_{CLASSES[k]}_{window}d"] = np.where(np.isnan(start), np.nan, within)
    recent = np.full(n, np.inf)
    np.minimum.at(recent, row[dated & (gap >= 0)], gap[dated & (gap >= 0)])
    out["hist_days_since_discharge"] = np.where(np.isinf(recent), np.nan, recent)
    inpatient = prior & (t.cls == INPATIENT)
    out["hist_prior_los_sum"] = np.bincount(row[inpatient], weights=t.los[inpatient], minlength=n)
    n_dx = np.array([len(d) for d in t.dx], dtype=np.float64)
    n_prior = out["hist_n_prior"]
    dx_sum = np.bincount(prow, weights=n_dx[prior], minlength=n)
    out["hist_prior_dx_mean"] = np.divide(dx_sum, n_prior, out=np.zeros(n), where=n_prior > 0)
    out |= _last_recorded_counts(t, n)
    if outcomes:
        out |= _outcomes(t, n)
    lab_rows = row[t.lab_event]
    for k, name in enumerate(LAB_NAMES):
        mask = t.lab_name == k
        first, last, points = _first_last(lab_rows[mask], t.lab_value[mask], n)
        out[f"lab_{name}_last"] = last
        out[f"lab_{name}_trend"] = np.where(points > 1, last - first, np.nan)
        out[f"lab_{name}_n"] = points
    return out
