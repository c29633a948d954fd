"""The inference log: one JSON line per request (scored or rejected), pseudonymous only, rotated by size.

Format (BRIEF decision 4, read by the drift monitor):
  {"ts", "request_id", "model", "version", "status", "reason", "latency_ms",
   "rows": [{"patient_key", "encounter_key", "inputs": {...}, "readmission_risk", "risk_band"}]}
`rows` is [] for a rejection. Sink: env READMIT_INFERENCE_LOG, default <state_dir>/inference/<model>.jsonl;
when a write would take the file past `max_bytes` it is renamed to `.1` (older files shift to `.2` ...,
`backups` are kept). Several MLServer workers append to one file: an flock on `<path>.lock` serialises
rotation and writes.

`inputs` are what the drift monitor needs, reduced to what cannot identify anyone: free-text-capable
values (codes outside the version's vocabularies, unknown `extra` keys and values, unknown lab names)
become "other" or are dropped, and age is capped at 90 (HIPAA Safe Harbor).
"""

from __future__ import annotations

import fcntl
import json
import re
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd

from readmit.paths import INFERENCE_LOG_ENV, inference_log
from readmit.schema import HISTORY_PRIOR_COUNTS, LAB_UNITS
from readmit.serving.contract import INPUTS, KEYS

ENV = INFERENCE_LOG_ENV
MAX_BYTES = 64 * 1024 * 1024
BACKUPS = 5
REQUEST_COLUMNS = ("ts", "request_id", "model", "version", "status", "reason", "latency_ms")
ROW_COLUMNS = ("patient_key", "encounter_key", "readmission_risk", "risk_band")
OTHER = "other"
_DX = re.compile(
    r"(?:[A-Z][0-9][0-9A-Z](?:\.[0-9A-Z]{1,4})?|[VE]?[0-9]{2,3}(?:\.[0-9]{1,2})?|sct:[0-9]{4,18})"
)
_CLASSES = ("inpatient", "emergency", "outpatient", "other")


def default_path(model: str) -> Path:
    return inference_log(model)


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


class Sink:
    def __init__(self, path: Path, max_bytes: int = MAX_BYTES, backups: int = BACKUPS):
        self.path, self.max_bytes, self.backups = Path(path), max_bytes, backups
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:  # e.g. a read-only root filesystem in the Server pod
            raise OSError(
                f"inference log directory {self.path.parent} cannot be created ({exc.strerror}); "
                f"set {ENV} to a writable path (a mounted volume in a pod)"
            ) from exc

    def write(self, record: dict) -> None:
        line = (json.dumps(record, separators=(",", ":"), allow_nan=False) + "\n").encode()
        with open(f"{self.path}.lock", "a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                size = self.path.stat().st_size if self.path.exists() else 0
                if size and size + len(line) > self.max_bytes:
                    self._rotate()
                with open(self.path, "ab") as fh:
                    fh.write(line)
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    def _rotate(self) -> None:
        for k in range(self.backups - 1, 0, -1):
            older = Path(f"{self.path}.{k}")
            if older.exists():
                older.replace(f"{self.path}.{k + 1}")
        self.path.replace(f"{self.path}.1")


def files(path: Path) -> list[Path]:
    """The log and its rotated predecessors, oldest first."""
    path = Path(path)
    rotated = sorted(path.parent.glob(f"{path.name}.[0-9]*"), key=lambda p: -int(p.suffix[1:]))
    return [*rotated, *([path] if path.exists() else [])]


def _records(path: Path):
    for file in files(path):
        with open(file, encoding="utf-8") as fh:
            for line in fh:
                if line.strip():
                    yield json.loads(line)


def read_requests(path) -> pd.DataFrame:
    """One row per request: ts, request_id, model, version, status, reason, latency_ms, n_rows."""
    rows = [
        {**{k: r.get(k) for k in REQUEST_COLUMNS}, "n_rows": len(r.get("rows") or [])} for r in _records(path)
    ]
    frame = pd.DataFrame(rows, columns=[*REQUEST_COLUMNS, "n_rows"])
    frame["ts"] = pd.to_datetime(frame["ts"], utc=True)
    return frame


def read(path) -> pd.DataFrame:
    """One row per scored stay: the request columns, keys, risk, band and the logged input columns."""
    inputs = [c for c in INPUTS if c not in KEYS]
    out = []
    for record in _records(path):
        head = {k: record.get(k) for k in REQUEST_COLUMNS}
        for row in record.get("rows") or []:
            out.append({**head, **{k: row.get(k) for k in ROW_COLUMNS}, **row.get("inputs", {})})
    frame = pd.DataFrame(out, columns=[*REQUEST_COLUMNS, *ROW_COLUMNS, *inputs])
    frame["ts"] = pd.to_datetime(frame["ts"], utc=True)
    return frame


def loggable_inputs(row: dict, spec) -> dict:
    """The non-key inputs of one validated row, reduced as the module docstring says."""
    out = {}
    for name in INPUTS:
        if name in KEYS:
            continue
        value = row[name]
        if name == "age":
            value = min(int(value), 90)
        elif name in ("dx_codes", "med_codes", "proc_codes"):
            value = json.dumps(_codes(name, json.loads(value), spec))
        elif name == "labs":
            value = json.dumps(_labs(json.loads(value)))
        elif name == "extra":
            value = json.dumps(_extra(json.loads(value), spec))
        elif name == "history":
            value = json.dumps([_history_item(h, spec) for h in json.loads(value) if isinstance(h, dict)])
        elif isinstance(value, float) and value != value:
            value = None
        out[name] = value
    return out


def _codes(name: str, codes: list, spec) -> list[str]:
    codes = [str(c) for c in codes] if isinstance(codes, list) else []
    if name == "dx_codes":
        return [c if _DX.fullmatch(c) else OTHER for c in codes]
    vocab = set(spec.med_vocab if name == "med_codes" else spec.proc_vocab)
    return [c if c in vocab else OTHER for c in codes]


def _labs(labs) -> dict:
    if not isinstance(labs, dict):
        return {}
    return {k: v for k, v in labs.items() if k in LAB_UNITS and isinstance(v, list)}


def _extra(extra: dict, spec) -> dict:
    out = {}
    for key in spec.extra_numeric:
        value = extra.get(key)
        out[key] = value if isinstance(value, (int, float)) and not isinstance(value, bool) else None
    for key, values in spec.extra_values.items():
        if key in extra:
            out[key] = str(extra[key]) if str(extra[key]) in values else OTHER
    return out


def _number(value):
    return value if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def _history_item(item: dict, spec) -> dict:
    return {
        "encounter_seq": _number(item.get("encounter_seq")),
        "encounter_class": item.get("encounter_class") if item.get("encounter_class") in _CLASSES else OTHER,
        "admit_day": _number(item.get("admit_day")),
        "discharge_day": _number(item.get("discharge_day")),
        "los_days": _number(item.get("los_days")),
        "dx_codes": _codes("dx_codes", item.get("dx_codes") or [], spec),
        "med_codes": _codes("med_codes", item.get("med_codes") or [], spec),
        "proc_codes": _codes("proc_codes", item.get("proc_codes") or [], spec),
        "labs": _labs(item.get("labs")),
    } | {k: _number(item[k]) for k in HISTORY_PRIOR_COUNTS if k in item}
