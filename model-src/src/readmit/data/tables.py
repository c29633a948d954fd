"""Source-neutral encounters -> the index and history tables of `readmit.schema`.

Both adapters (FHIR, UCI) produce one frame of encounters with raw ids, relative days and
Python lists/dicts; this module pseudonymises ids, orders each patient's encounters and
attaches to every index row the JSON history of encounters that ended before its admission.

Input columns: patient_id, encounter_id, encounter_class, admit_day, discharge_day, los_days,
dx_codes, med_codes, proc_codes (lists), labs (dict), status ("index", an exclusion reason, or
"" for encounters that are never index candidates), and for index rows the remaining
INDEX_COLUMNS (age, sex, ..., extra as dict, label).
Optional `history_ids` (FHIR): per index row, the ids of the encounters in its history window
(readmit.data.window, the year before the admission, as the CDS service sees it). The row's history and
its `encounter_seq` then count only those: `encounter_seq` is the number of window encounters before
the stay, and each item's `encounter_seq` its place among them. Without it (UCI, no dates) a row holds
every earlier encounter of the patient and `encounter_seq` is the stay's place among all of them.
The history table keeps every encounter with its place in the patient's whole record.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd

from readmit.data.deid import pseudonyms
from readmit.schema import HISTORY_COLUMNS, HISTORY_PRIOR_COUNTS, INDEX_COLUMNS

HISTORY_ITEM_KEYS = (
    "encounter_seq",
    "encounter_class",
    "admit_day",
    "discharge_day",
    "los_days",
    "dx_codes",
    "med_codes",
    "proc_codes",
    "labs",
)


def dumps(value) -> str:
    """Compact JSON; producers already round floats and write None for unknown (JSON has no NaN)."""
    return json.dumps(value, separators=(",", ":"), sort_keys=True, allow_nan=False)


def dumps_codes(codes: list) -> str:
    """JSON list of plain code strings without the encoder (100k+ rows: 10x faster)."""
    try:
        joined = '","'.join(codes)
    except TypeError:
        return dumps(codes)
    if (
        joined.isascii()
        and joined.isprintable()
        and '"' not in joined.replace('","', "")
        and "\\" not in joined
    ):
        return f'["{joined}"]' if codes else "[]"
    return dumps(codes)


def _num(value) -> str:
    return "null" if pd.isna(value) else repr(round(float(value), 4))


def order(enc: pd.DataFrame) -> pd.DataFrame:
    """Sort per patient by admission (then source order) and number each patient's encounters."""
    enc = enc.reset_index(drop=True)
    enc["_pos"] = np.arange(len(enc))
    enc = enc.sort_values(["patient_id", "admit_day", "_pos"], kind="stable").reset_index(drop=True)
    enc["encounter_seq"] = enc.groupby("patient_id", sort=False).cumcount().astype("int64")
    return enc.drop(columns="_pos")


def _item_tail(cls, admit, disch, los, dx: str, med: str, proc: str, labs: str, counts=()) -> str:
    """A history item after its "encounter_seq" (which depends on the index row holding it). `counts`
    (HISTORY_PRIOR_COUNTS) ride along in the items of undated sources only (UCI): there the history cannot
    count an earlier encounter's prior year itself, while dated items let the features count it."""
    recorded = "".join(f',"{k}":{_num(v)}' for k, v in zip(HISTORY_PRIOR_COUNTS, counts, strict=False))
    return (
        f'"encounter_class":{json.dumps(cls)},"admit_day":{_num(admit)},"discharge_day":{_num(disch)},'
        f'"los_days":{_num(los)},"dx_codes":{dx},"med_codes":{med},"proc_codes":{proc},"labs":{labs}'
        f"{recorded}}}"
    )


def item_json(seq, cls, admit, disch, los, dx: str, med: str, proc: str, labs: str, counts=()) -> str:
    """One history item from its already serialised code lists and labs; `counts`, when given, the
    HISTORY_PRIOR_COUNTS values (null when unknown)."""
    return f'{{"encounter_seq":{seq},' + _item_tail(cls, admit, disch, los, dx, med, proc, labs, counts)


def _item_tails(enc: pd.DataFrame, with_counts: bool) -> list[str]:
    """Each encounter's history item after its "encounter_seq", from the already serialised columns."""
    columns = [enc[c].tolist() for c in HISTORY_ITEM_KEYS[1:]]
    if not with_counts:
        return [_item_tail(*values) for values in zip(*columns, strict=True)]
    counts = list(zip(*[enc[c].tolist() for c in HISTORY_PRIOR_COUNTS], strict=True))
    return [_item_tail(*values, counts=c) for *values, c in zip(*columns, counts, strict=True)]


def _histories(enc: pd.DataFrame, rows: np.ndarray) -> tuple[list[str], list[int]]:
    """(history JSON, encounter_seq) for the encounters at positions `rows` of the ordered frame."""
    admit = enc["admit_day"].to_numpy(dtype=float)
    dated = not np.isnan(admit).all()
    tails = _item_tails(enc, with_counts=not dated and all(c in enc for c in HISTORY_PRIOR_COUNTS))
    patient = enc["patient_id"].to_numpy()
    starts = np.zeros(len(enc), dtype=np.int64)
    change = np.flatnonzero(patient[1:] != patient[:-1]) + 1
    starts[change] = change
    starts = np.maximum.accumulate(starts)
    discharge = enc["discharge_day"].to_numpy(dtype=float)
    ids = enc["encounter_id"].tolist()
    windows = enc["history_ids"].tolist() if "history_ids" in enc else [None] * len(enc)
    out, seqs = [], []
    for i in rows:
        s, members = starts[i], windows[i]
        # the encounters before this one (in the window, when there is one), numbered in order
        earlier = range(s, i) if members is None else [j for j in range(s, i) if ids[j] in members]
        items = []
        for seq, j in enumerate(earlier):
            if not dated or discharge[j] <= admit[i]:  # only those that had ended by this admission
                items.append(f'{{"encounter_seq":{seq},{tails[j]}')
        out.append("[" + ",".join(items) + "]")
        seqs.append(len(earlier))
    return out, seqs


def build(enc: pd.DataFrame, key: bytes) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Return (index, history) with schema columns and dtypes; ids become pseudonyms."""
    enc = order(enc)
    for col in ("dx_codes", "med_codes", "proc_codes"):
        enc[col] = [dumps_codes(v) for v in enc[col]]
    enc["labs"] = [dumps(v) for v in enc["labs"]]
    enc["patient_key"] = pseudonyms(key, enc["patient_id"])
    enc["encounter_key"] = pseudonyms(key, enc["encounter_id"])
    rows = np.flatnonzero(enc["status"].to_numpy() == "index")
    index = enc.iloc[rows].copy()
    index["history"], index["encounter_seq"] = _histories(enc, rows)
    index["extra"] = [dumps(v) for v in index["extra"]]
    return conform(index, INDEX_COLUMNS), conform(enc, HISTORY_COLUMNS)


def conform(df: pd.DataFrame, columns: dict[str, str]) -> pd.DataFrame:
    """Exactly the schema's columns, in order, with one dtype per family."""
    out = {}
    for col, family in columns.items():
        series = df[col]
        if family == "int":
            out[col] = series.astype("int64").to_numpy()
        elif family == "float":
            out[col] = series.astype("float64").to_numpy()
        else:
            out[col] = series.astype(object).where(series.notna(), "").astype(str).to_numpy()
    return pd.DataFrame(out)
