"""Timelines -> the sequence model's input: one vector per encounter (the index stay last), left-aligned
in a window of the last `max_steps`, and each row's length. Pure in (timelines, spec), like
readmit.features.build's table, from the same `events.timelines`."""

from __future__ import annotations

import math

import numpy as np

from readmit.features.build import FeatureSpec
from readmit.features.clean import LAB_REFERENCE
from readmit.features.codes import CHAPTERS, chapter_counts, members
from readmit.features.events import CLASSES, Timelines

# the per-encounter scalars of a step, in order; `width` counts them, so adding one cannot desync it
SCALARS = ("log_los", "log_n_dx", "log_n_meds", "log_n_procs", "log_gap_days", "gap_unknown")


def _log1p(values: np.ndarray) -> np.ndarray:
    """`math.log1p` elementwise (numpy's may differ in the last bit); inputs repeat, so once per value."""
    unique, inverse = np.unique(values, return_inverse=True)
    return np.array([math.log1p(v) for v in unique.tolist()], dtype=np.float64)[inverse.reshape(-1)]


def width(spec: FeatureSpec) -> int:
    """Classes, scalars, chapters, last lab value and lab presence per lab, then the code vocabulary."""
    return len(CLASSES) + len(SCALARS) + len(CHAPTERS) + 2 * len(LAB_REFERENCE) + len(spec.dx_vocab)


def _vectors_of(t: Timelines, picked: np.ndarray, first: np.ndarray, spec: FeatureSpec) -> np.ndarray:
    """(len(picked), width) float64 vectors of the events `picked`; the gap is to the event before,
    unknown for the `first` of each window."""
    out = np.zeros((len(picked), width(spec)))
    at = 0
    out[np.arange(len(picked)), t.cls[picked]] = 1.0
    at += len(CLASSES)
    previous_end = np.where(first, np.nan, t.discharge[picked - 1])
    gap = t.admit[picked] - previous_end
    unknown = np.isnan(gap)
    n_dx = np.array([len(t.dx[k]) for k in picked.tolist()], dtype=np.float64)
    scalars = (
        _log1p(np.maximum(t.los[picked], 0.0)),
        _log1p(n_dx),
        _log1p(t.n_meds[picked].astype(np.float64)),
        _log1p(t.n_procs[picked].astype(np.float64)),
        np.where(unknown, 0.0, _log1p(np.where(unknown, 0.0, np.maximum(gap, 0.0)))),
        unknown.astype(np.float64),
    )
    out[:, at : at + len(SCALARS)] = np.column_stack(scalars)
    at += len(SCALARS)
    dx = [t.dx[k] for k in picked.tolist()]
    counts, _ = chapter_counts(dx, t.icd9[t.row[picked]].tolist())
    out[:, at : at + len(CHAPTERS)] = _log1p(counts.reshape(-1)).reshape(counts.shape)
    at += len(CHAPTERS)
    position = np.full(len(t.cls), -1)
    position[picked] = np.arange(len(picked))
    mine = position[t.lab_event] >= 0
    events, names, values = position[t.lab_event[mine]], t.lab_name[mine], t.lab_value[mine]
    last = np.r_[(events[1:] != events[:-1]) | (names[1:] != names[:-1]), True] if len(events) else mine[mine]
    out[events[last], at + names[last]] = values[last]
    out[events, at + len(LAB_REFERENCE) + names] = 1.0
    at += 2 * len(LAB_REFERENCE)
    out[:, at:] = members(dx, spec.dx_vocab)
    return out


def vectors(t: Timelines, max_steps: int, spec: FeatureSpec) -> tuple[np.ndarray, np.ndarray]:
    """(rows, max_steps, width) left-aligned step vectors of the last encounters (index last) + lengths."""
    lengths = np.minimum(t.lengths, max_steps)
    out = np.zeros((len(lengths), max_steps, width(spec)), dtype=np.float32)
    ends = t.starts[1:]
    row = np.repeat(np.arange(len(lengths)), lengths)
    slot = np.arange(len(row)) - np.repeat(np.cumsum(lengths) - lengths, lengths)
    picked = np.repeat(ends - lengths, lengths) + slot
    if len(picked):
        out[row, slot] = _vectors_of(t, picked, slot == 0, spec)
    return out, lengths.astype(np.int64)
