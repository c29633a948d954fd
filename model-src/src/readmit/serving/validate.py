"""Strict decoding of a V2 request into index rows: every problem is a `Rejected` naming field and row.

Checks, in order: the request id (`request_id`), then (`decode`) batch size, unknown/missing inputs,
datatypes, shapes, then each row's values (null/NaN/inf, ranges, closed sets, JSON structure,
pseudonymous keys, discharge after admission).
"""

from __future__ import annotations

import json
import math
import re

import numpy as np

from readmit.features.columns import Columns
from readmit.serving.contract import (
    CLOSED_SETS,
    INPUTS,
    JSON_KINDS,
    KEYS,
    NULLABLE,
    PATTERNS,
    PSEUDONYM_PATTERN,
    RANGES,
    RuntimeConfig,
)
from readmit.serving.errors import Rejected

_PSEUDONYM = re.compile(PSEUDONYM_PATTERN)
# MLServer echoes the request id in the `Ce-Id` / `Ce-Requestid` response headers (mlserver/cloudevents.py);
# uvicorn refuses a header value with control characters and starlette one outside latin-1, and the
# connection then drops without an answer. Printable ASCII is what every request-id scheme uses.
_REQUEST_ID = re.compile(r"[\x20-\x7e]{1,256}")
_NOT_FINITE_TEXT = {"nan", "inf", "+inf", "-inf", "infinity", "+infinity", "-infinity"}


def _payload_bytes(inputs) -> int:
    size = 0
    for inp in inputs:
        data = inp.data.root if hasattr(inp.data, "root") else inp.data
        for value in data if isinstance(data, list) else [data]:  # decode rejects a non-list after
            size += len(value) if isinstance(value, (str, bytes)) else 8
    return size


def request_id(value: str | None) -> str | None:
    """The request's `id` if it can travel back in a response header; None when absent, else Rejected."""
    if value is None or value == "":
        return None
    if not _REQUEST_ID.fullmatch(value):
        raise Rejected("request 'id': must be 1 to 256 printable ASCII characters", 400, "bad_value")
    return value


def decode(payload, config: RuntimeConfig) -> Columns:
    """The request's stays, the INPUTS columns as the feature code reads them, or Rejected."""
    inputs = list(payload.inputs or [])
    if _payload_bytes(inputs) > config.max_request_bytes:
        raise Rejected(
            f"request data exceeds the limit of {config.max_request_bytes} bytes; split the batch",
            413,
            "too_large",
        )
    by_name = {}
    for inp in inputs:
        if inp.name not in INPUTS:
            raise Rejected(
                f"input '{inp.name}' is not part of the contract; send only {', '.join(INPUTS)}",
                400,
                "unknown_field",
            )
        if inp.name in by_name:
            raise Rejected(f"input '{inp.name}' is sent twice", 400, "bad_shape")
        by_name[inp.name] = inp
    missing = [name for name in INPUTS if name not in by_name]
    if missing:
        raise Rejected(
            f"input '{missing[0]}' is missing (every index field is required)", 400, "missing_field"
        )
    columns, n_rows = {}, None
    for name, datatype in INPUTS.items():
        inp = by_name[name]
        if str(getattr(inp.datatype, "value", inp.datatype)) != datatype:
            raise Rejected(
                f"input '{name}' has datatype {getattr(inp.datatype, 'value', inp.datatype)}; "
                f"the contract says {datatype}",
                400,
                "bad_datatype",
            )
        data = inp.data.root if hasattr(inp.data, "root") else inp.data
        if not isinstance(data, list) or any(isinstance(v, (list, dict)) for v in data):
            raise Rejected(f"input '{name}': data must be a flat list, one value per stay", 400, "bad_shape")
        shape = list(inp.shape)
        if shape not in ([len(data)], [len(data), 1]):
            raise Rejected(
                f"input '{name}': shape {shape} does not match its {len(data)} values", 400, "bad_shape"
            )
        if n_rows is None:
            n_rows = len(data)
        elif len(data) != n_rows:
            raise Rejected(
                f"input '{name}' has {len(data)} values but '{next(iter(INPUTS))}' has {n_rows}; "
                "every input carries one value per stay",
                400,
                "bad_shape",
            )
        columns[name] = data
    if not n_rows:
        raise Rejected("empty batch: send at least one stay", 400, "empty_batch")
    if n_rows > config.max_rows:
        raise Rejected(
            f"batch of {n_rows} stays exceeds the maximum of {config.max_rows}; split it",
            413,
            "too_many_rows",
        )
    for name, datatype in INPUTS.items():
        columns[name] = [_value(name, datatype, v, row) for row, v in enumerate(columns[name])]
    for row, (admit, discharge) in enumerate(
        zip(columns["admit_day"], columns["discharge_day"], strict=True)
    ):
        if admit is not None and discharge is not None and discharge < admit:
            raise Rejected(
                f"input 'discharge_day' row {row}: discharge is before admission ('admit_day')",
                400,
                "out_of_range",
            )
    for column in NULLABLE:  # NaN where not sent (the features read NaN as unknown)
        columns[column] = [np.nan if v is None else v for v in columns[column]]
    return Columns({name: _array(columns[name], datatype) for name, datatype in INPUTS.items()})


def _array(values: list, datatype: str) -> np.ndarray:
    """The column with the dtype a DataFrame would give it (int64 unless a value does not fit)."""
    if datatype == "FP64":
        return np.array(values, dtype=np.float64)
    if datatype == "INT64":
        try:
            return np.array(values, dtype=np.int64)
        except OverflowError:
            pass
    return np.array(values, dtype=object)


def _value(name: str, datatype: str, value, row: int):
    where = f"input '{name}' row {row}"
    if datatype in ("INT64", "FP64"):
        return _number(name, datatype, value, where)
    if isinstance(value, bytes):  # V2 over gRPC carries BYTES elements as bytes; JSON over REST as text
        try:
            value = value.decode("utf-8")
        except UnicodeDecodeError:
            raise Rejected(f"{where}: not UTF-8 text", 400, "bad_value") from None
    if not isinstance(value, str):
        raise Rejected(
            f"{where}: expected a string", 400, "bad_datatype" if value is not None else "missing_field"
        )
    if name in KEYS and not _PSEUDONYM.fullmatch(value):
        raise Rejected(
            f"{where}: not a keyed pseudonym (64 hex characters written by `readmit data ingest`); "
            "never send a medical record number or any other raw identifier",
            400,
            "not_pseudonymous",
        )
    if name in PATTERNS and not re.fullmatch(PATTERNS[name], value):
        raise Rejected(f"{where}: not in its de-identified form ({PATTERNS[name]})", 400, "bad_value")
    if name in CLOSED_SETS and value not in CLOSED_SETS[name]:
        raise Rejected(
            f"{where}: unknown category; expected one of {', '.join(CLOSED_SETS[name])}",
            400,
            "unknown_category",
        )
    if name in JSON_KINDS:
        try:
            parsed = json.loads(value)
        except ValueError:
            parsed = None
        kind = JSON_KINDS[name]
        if not isinstance(parsed, kind):
            raise Rejected(
                f"{where}: expected JSON text of a {'list' if kind is list else 'object'}", 400, "bad_value"
            )
    return value


def _number(name: str, datatype: str, value, where: str):
    if value is None:
        if name in NULLABLE:
            return None
        raise Rejected(f"{where}: a number is required", 400, "missing_field")
    if isinstance(value, str) and value.strip().lower() in _NOT_FINITE_TEXT:
        raise Rejected(f"{where}: NaN or infinity where a finite number is required", 400, "not_finite")
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise Rejected(f"{where}: expected a number ({datatype})", 400, "bad_datatype")
    if not math.isfinite(value):
        raise Rejected(f"{where}: NaN or infinity where a finite number is required", 400, "not_finite")
    if datatype == "INT64" and value != int(value):
        raise Rejected(f"{where}: expected an integer", 400, "bad_datatype")
    low, high = RANGES.get(name, (None, None))
    if (low is not None and value < low) or (high is not None and value > high):
        bound = f"between {low} and {high}" if high is not None else f"at least {low}"
        raise Rejected(f"{where}: out of range; must be {bound}", 400, "out_of_range")
    return int(value) if datatype == "INT64" else float(value)
