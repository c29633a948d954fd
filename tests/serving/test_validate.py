"""`validate.decode` takes a V2 request as either transport delivers it: BYTES elements arrive as text in
REST's JSON and as bytes over gRPC (MLServer's ModelInferRequestConverter keeps them as bytes)."""

from __future__ import annotations

import hashlib

import numpy as np
import pytest
from mlserver.types import InferenceRequest

from readmit.serving import v2, validate
from readmit.serving.contract import INPUTS, KEYS, RuntimeConfig
from readmit.serving.errors import Rejected
from training._frames import make_index

CONFIG = RuntimeConfig("readmission", "1", {"medium": 0.1, "high": 0.3})


def _rows(n: int):
    """Index rows as `readmit data ingest` writes them: keys are keyed pseudonyms (64 hex characters)."""
    rows = make_index(n, seed=3)
    for key in KEYS:
        rows[key] = [hashlib.sha256(f"{key}{v}".encode()).hexdigest() for v in rows[key]]
    return rows


def _as_grpc_delivers(body: dict, replace: dict | None = None) -> dict:
    """The body with every BYTES element as bytes; `replace` maps (input, row) to raw bytes."""
    replace = replace or {}
    inputs = []
    for inp in body["inputs"]:
        data = inp["data"]
        if inp["datatype"] == "BYTES":
            data = [replace.get((inp["name"], row), v.encode()) for row, v in enumerate(data)]
        inputs.append({**inp, "data": data})
    return {**body, "inputs": inputs}


def test_bytes_elements_decode_to_the_same_columns_as_text():
    body = v2.request_body(_rows(6))
    as_text = validate.decode(InferenceRequest.model_validate(body), CONFIG)
    as_bytes = validate.decode(InferenceRequest.model_validate(_as_grpc_delivers(body)), CONFIG)
    assert [n for n, t in INPUTS.items() if t == "BYTES"], "the contract has no BYTES input to test"
    for name in INPUTS:
        np.testing.assert_array_equal(as_bytes[name], as_text[name])


def test_bytes_that_are_not_utf8_are_a_400_naming_field_and_row_without_echo():
    body = v2.request_body(_rows(3))
    name = next(n for n, t in INPUTS.items() if t == "BYTES")
    raw = b"\xffMRN-4417\xfe"
    payload = InferenceRequest.model_validate(_as_grpc_delivers(body, {(name, 2): raw}))
    with pytest.raises(Rejected) as rejected:
        validate.decode(payload, CONFIG)
    assert rejected.value.status_code == 400 and rejected.value.reason == "bad_value"
    assert str(rejected.value) == f"input '{name}' row 2: not UTF-8 text"
