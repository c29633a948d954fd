"""Each index row's timeline as flat arrays: the prior encounters that ended by the index discharge, in
order, then the index encounter last (readmit.features.history states the leakage rule this applies).

One pass over the rows parses and filters; everything downstream (readmit.features.history aggregates,
readmit.features.build step vectors) is column arithmetic on these arrays. Event k of row i is at
`starts[i] + k`; `starts[i + 1] - 1` is row i's index encounter. Numbers that are missing, not finite or
not numbers are NaN here (`clean.finite` decides).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from readmit.features import jsoncol
from readmit.features.clean import LAB_REFERENCE, finite
from readmit.features.columns import Columns
from readmit.schema import HISTORY_PRIOR_COUNTS

CODE_COLUMNS = ("dx_codes", "med_codes", "proc_codes")
_NO_COUNTS = (math.nan,) * len(HISTORY_PRIOR_COUNTS)
CLASSES = ("inpatient", "emergency", "outpatient", "other")
CLASS_INDEX = {name: i for i, name in enumerate(CLASSES)}
LAB_NAMES = tuple(LAB_REFERENCE)
LAB_INDEX = {name: i for i, name in enumerate(LAB_NAMES)}
_MID = np.array([(low + high) / 2 for low, high in LAB_REFERENCE.values()])
_HALF = np.array([(high - low) / 2 for low, high in LAB_REFERENCE.values()])
_NAN = math.nan


@dataclass
class Timelines:
    starts: np.ndarray  # (rows + 1,) offsets into the event arrays
    cls: np.ndarray  # (events,) index into CLASSES
    admit: np.ndarray  # (events,) admit day, NaN when unknown
    discharge: np.ndarray  # (events,) discharge day, NaN when unknown
    los: np.ndarray  # (events,) length of stay, 0 when unknown
    n_meds: np.ndarray
    n_procs: np.ndarray
    dx: list[list[str]]  # (events,) diagnosis codes as sent
    lab_event: np.ndarray  # (points,) event of each kept lab value, in event then time order per lab
    lab_name: np.ndarray  # (points,) index into LAB_NAMES
    lab_value: np.ndarray  # (points,) normalised value (clean.normalize_lab)
    index_codes: dict[str, list]  # CODE_COLUMNS of the index rows, parsed (`jsoncol.values`)
    icd9: np.ndarray  # (rows,) the row's codes are ICD-9 (`dx_system`; ICD-10 when not given)
    # (events, len(HISTORY_PRIOR_COUNTS)) the visit counts an earlier encounter's own record holds of the
    # year before it (undated sources' history items carry them); NaN when not given, and for index events
    recorded_counts: np.ndarray

    @property
    def lengths(self) -> np.ndarray:
        return np.diff(self.starts)

    @property
    def row(self) -> np.ndarray:
        return np.repeat(np.arange(len(self.starts) - 1), self.lengths)

    @property
    def is_index(self) -> np.ndarray:
        out = np.zeros(len(self.cls), dtype=bool)
        out[self.starts[1:] - 1] = True
        return out


def floats(df: pd.DataFrame | Columns, column: str) -> np.ndarray:
    """The column as float64, NaN where `clean.finite` says no (booleans, text, None, inf)."""
    if column not in df.columns:
        return np.full(len(df), _NAN)
    series = df[column]  # a Series, or a numpy array from a `columns.Columns`
    if isinstance(series.dtype, np.dtype) and series.dtype.kind in "fiu":
        out = np.array(series, dtype=np.float64)  # a copy
        out[~np.isfinite(out)] = _NAN
        return out
    return np.array([float(v) if finite(v) else _NAN for v in series.tolist()], dtype=np.float64)


def _finite(value) -> bool:
    """`clean.finite`, with a shortcut for the plain floats and integers JSON gives."""
    kind = type(value)
    if kind is float:
        return value - value == 0.0  # False for inf and NaN
    return kind is int or finite(value)


def _first(pair):
    return pair[0]


def _num(value) -> float:
    return float(value) if _finite(value) else _NAN


def _order(entry: dict):
    day, seq = entry.get("discharge_day"), entry.get("encounter_seq")
    return (day if _finite(day) else -math.inf, seq if _finite(seq) else -1)


def _kept(entries, index_seq: float, cutoff: float) -> list[dict]:
    """History entries that ended by the index discharge (by day, else by sequence number), in order."""
    kept = []
    for entry in entries:
        if not isinstance(entry, dict):
            continue
        end = entry.get("discharge_day")
        if _finite(end) and cutoff == cutoff:
            if end <= cutoff:
                kept.append(entry)
        else:
            seq = entry.get("encounter_seq")
            if _finite(seq) and index_seq == index_seq and seq < index_seq:
                kept.append(entry)
    kept.sort(key=_order)
    return kept


class _Builder:
    def __init__(self):
        self.cls, self.admit, self.discharge, self.los = [], [], [], []
        self.n_meds, self.n_procs, self.dx, self.counts = [], [], [], []
        self.lab_event, self.lab_name, self.lab_value = [], [], []

    def labs(self, raw, cutoff: float) -> None:
        """Values per known lab in time order, dropping points measured after `cutoff`."""
        event = len(self.cls) - 1
        for name, points in (raw or {}).items():
            if name not in LAB_INDEX or not isinstance(points, list):
                continue
            kept = []
            for point in points:
                if isinstance(point, list) and len(point) == 2 and _finite(point[1]):
                    when = point[0]
                    if not _finite(when):
                        kept.append((-math.inf, point[1]))
                    elif not when > cutoff:  # False when cutoff is NaN (no index discharge day)
                        kept.append((when, point[1]))
            if len(kept) > 1:
                kept.sort(key=_first)
            index = LAB_INDEX[name]
            for _, number in kept:
                self.lab_event.append(event)
                self.lab_name.append(index)
                self.lab_value.append(float(number))

    def prior(self, entry: dict, cutoff: float) -> None:
        cls = entry.get("encounter_class", "other")
        self.cls.append(CLASS_INDEX.get(cls, 3) if isinstance(cls, str) else 3)
        self.admit.append(_num(entry.get("admit_day")))
        self.discharge.append(_num(entry.get("discharge_day")))
        los = entry.get("los_days")
        self.los.append(float(los) if _finite(los) else 0.0)
        self.dx.append([str(c) for c in jsoncol.value(entry.get("dx_codes"), [])])
        self.n_meds.append(len([str(c) for c in jsoncol.value(entry.get("med_codes"), [])]))
        self.n_procs.append(len([str(c) for c in jsoncol.value(entry.get("proc_codes"), [])]))
        self.labs(jsoncol.value(entry.get("labs"), {}), cutoff)
        self.counts.append(tuple(_num(entry.get(k)) for k in HISTORY_PRIOR_COUNTS))

    def index(self, admit, discharge, los, dx, meds, procs, labs) -> None:
        self.cls.append(0)
        self.admit.append(admit)
        self.discharge.append(discharge)
        self.los.append(los if los == los else 0.0)
        self.dx.append([str(c) for c in dx])
        self.n_meds.append(len([str(c) for c in meds]))
        self.n_procs.append(len([str(c) for c in procs]))
        self.labs(labs, discharge)
        self.counts.append(_NO_COUNTS)


def timelines(df: pd.DataFrame | Columns) -> Timelines:
    # plain Python floats in the loop: comparisons with numpy scalars cost far more
    seq, admit, discharge, los = (
        floats(df, c).tolist() for c in ("encounter_seq", "admit_day", "discharge_day", "los_days")
    )
    histories = jsoncol.values(jsoncol.cells(df, "history"), [])
    codes = {c: jsoncol.values(jsoncol.cells(df, c), []) for c in CODE_COLUMNS}
    dx, meds, procs = codes.values()
    labs = jsoncol.values(jsoncol.cells(df, "labs"), {})
    out, starts = _Builder(), [0]
    for i in range(len(df)):
        cutoff = discharge[i]
        if histories[i]:
            for entry in _kept(histories[i], seq[i], cutoff):
                out.prior(entry, cutoff)
        out.index(admit[i], cutoff, los[i], dx[i], meds[i], procs[i], labs[i])
        starts.append(len(out.cls))
    values = np.array(out.lab_value, dtype=np.float64)
    names = np.array(out.lab_name, dtype=np.int64)
    return Timelines(
        starts=np.array(starts, dtype=np.int64),
        cls=np.array(out.cls, dtype=np.int64),
        admit=np.array(out.admit, dtype=np.float64),
        discharge=np.array(out.discharge, dtype=np.float64),
        los=np.array(out.los, dtype=np.float64),
        n_meds=np.array(out.n_meds, dtype=np.int64),
        n_procs=np.array(out.n_procs, dtype=np.int64),
        dx=out.dx,
        index_codes=codes,
        icd9=np.array([(v or "icd10") == "icd9" for v in jsoncol.cells(df, "dx_system")], dtype=bool),
        recorded_counts=np.array(out.counts, dtype=np.float64).reshape(-1, len(HISTORY_PRIOR_COUNTS)),
        lab_event=np.array(out.lab_event, dtype=np.int64),
        lab_name=names,
        lab_value=(values - _MID[names]) / _HALF[names],
    )
