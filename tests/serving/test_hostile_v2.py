"""The V2 endpoint of the real MLServer on hostile bodies: arbitrary JSON and bytes, and mutations of the
exported `example-request.json` (inputs dropped, duplicated or renamed, datatypes swapped, shapes changed,
NaN/inf/huge numbers, out-of-range values, unknown categories, strings in numeric fields, wrong nesting,
unicode and binary-ish strings, garbage in the JSON-text fields, oversized batches, odd parameters).

The property, per request: a 2xx with one finite risk in [0, 1] and a known band per stay, or a 4xx whose
body is `{"error": "<message>"}`. A body that is not JSON or not a V2 InferenceRequest never reaches our
runtime: the launcher's body guard answers it (readmit.serving.guard: 400 when it is not a JSON object, 422
naming the fields otherwise); the test parses the body as MLServer does (orjson, then the InferenceRequest
model) and expects exactly that answer there.
Never a 5xx, never traceback text, never a planted value echoed in our error, and the server still scores
the example request after every hostile one.

One MLServer per worker mode for the whole session (tests/serving/conftest.py): parallel_workers 1 as
Seldon runs it, and a smaller budget with inference in the server process (parallel_workers 0).
"""

from __future__ import annotations

import copy
import json
import math
import urllib.error
import urllib.request

import orjson
import pytest
from hypothesis import currently_in_test_context, event, given
from hypothesis import strategies as st
from mlserver.types import Datatype, InferenceRequest
from pydantic import ValidationError

from hostile.conftest import fuzz
from readmit.serving.contract import BANDS, CLOSED_SETS, INPUTS, JSON_KINDS

# a value a caller might send by mistake (an MRN): it must never come back in our error message
PLANTED = "MRN-31337-PLANTED"

FINITE_ODD = st.sampled_from(
    [
        0,
        -1,
        -0.0,
        0.5,
        1.5,
        121,
        2**31,
        2**53 + 1,
        2**63 - 1,
        2**63,
        -(2**63) - 1,
        2**64,
        10**30,
        1e308,
        -1e308,
        5e-324,
        1e-300,
    ]
)
NOT_FINITE_TEXT = st.sampled_from(["NaN", "nan", "Infinity", "-Infinity", "inf", " -inf ", "1e400"])
TEXT = st.one_of(
    st.text(max_size=20),
    st.text(st.characters(codec="utf-8", categories=["Cc", "Cs", "Co", "Cn", "So", "Zl"]), max_size=10),
    st.binary(max_size=12).map(lambda b: b.decode("latin-1")),
    st.sampled_from(["", " ", "\x00", "I50.9", "[]", "{}", "null", "12", "1e3", PLANTED, "🏥" * 50]),
)
JSON_SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**70), 2**70),
    st.floats(allow_nan=False, allow_infinity=False),
    TEXT,
)
JSON_VALUES = st.recursive(
    JSON_SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(TEXT, inner, max_size=4),
    max_leaves=16,
)
CELL = st.one_of(
    FINITE_ODD,
    NOT_FINITE_TEXT,
    JSON_SCALARS,
    st.lists(JSON_SCALARS, max_size=3),
    st.dictionaries(st.text(max_size=4), JSON_SCALARS, max_size=2),
    st.sampled_from([v for values in CLOSED_SETS.values() for v in values]),
)


def _json_field_value(draw, name: str, current: str):
    """JSON text for a JSON-kind field: garbage of any shape, or the current value with parts swapped."""
    parsed = json.loads(current)
    choice = draw(st.integers(0, 3))
    if choice == 0:
        return json.dumps(draw(JSON_VALUES))
    if choice == 1 and isinstance(parsed, list) and parsed:
        parsed[draw(st.integers(0, len(parsed) - 1))] = draw(JSON_VALUES)
        return json.dumps(parsed)
    if choice == 1 and isinstance(parsed, dict) and parsed:
        parsed[draw(st.sampled_from(sorted(parsed)))] = draw(JSON_VALUES)
        return json.dumps(parsed)
    if choice == 2 and name == "history" and parsed:
        entry = parsed[draw(st.integers(0, len(parsed) - 1))]
        if isinstance(entry, dict) and entry:
            key = draw(st.sampled_from(sorted(entry)))
            entry[key] = draw(st.one_of(JSON_VALUES, FINITE_ODD, NOT_FINITE_TEXT))
        return json.dumps(parsed)
    if choice == 2 and name == "labs":
        return json.dumps({draw(st.sampled_from(["creatinine", "hba1c", "sodium", "x"])): draw(JSON_VALUES)})
    return json.dumps(draw(st.one_of(st.lists(JSON_VALUES, max_size=3), st.dictionaries(TEXT, JSON_VALUES))))


def _grow(body: dict, n: int) -> None:
    for inp in body["inputs"]:
        data = inp["data"] if isinstance(inp.get("data"), list) and inp["data"] else [None]
        inp["data"] = (data * (n // len(data) + 1))[:n]
        inp["shape"] = [n]


@st.composite
def mutated(draw, example: dict):
    """The example request with 1-3 mutations applied (each a kind of mistake a client makes)."""
    body = copy.deepcopy(example)
    for _ in range(draw(st.integers(1, 3))):
        inputs = body.get("inputs")
        if not isinstance(inputs, list) or not inputs or not all(isinstance(i, dict) for i in inputs):
            body[draw(st.sampled_from(["inputs", "id", "parameters"]))] = draw(JSON_VALUES)
            continue
        inp = draw(st.sampled_from(inputs))
        kind = draw(
            st.sampled_from(
                [
                    "value",
                    "value",
                    "value",
                    "json_field",
                    "json_field",
                    "datatype",
                    "shape",
                    "drop",
                    "duplicate",
                    "rename",
                    "nesting",
                    "batch",
                    "parameters",
                    "id",
                    "top",
                ]
            )
        )
        event(f"mutation: {kind}")
        if kind == "value" and isinstance(inp.get("data"), list) and inp["data"]:
            inp["data"][draw(st.integers(0, len(inp["data"]) - 1))] = draw(CELL)
        elif kind == "json_field":
            name = draw(st.sampled_from(sorted(JSON_KINDS)))
            target = next((i for i in inputs if i.get("name") == name), None)
            if target is not None and isinstance(target.get("data"), list) and target["data"]:
                row = draw(st.integers(0, len(target["data"]) - 1))
                current = target["data"][row]
                target["data"][row] = (
                    _json_field_value(draw, name, current) if isinstance(current, str) else draw(TEXT)
                )
        elif kind == "datatype":
            inp["datatype"] = draw(st.sampled_from([d.value for d in Datatype] + ["STRING", "fp64", 7, None]))
        elif kind == "shape":
            inp["shape"] = draw(
                st.sampled_from([[], [0], [-1], [3, 1], [1, 3], [2**63 - 1], [3, 0], "3", None, [3.5]])
            )
        elif kind == "drop":
            if draw(st.booleans()):
                inputs.remove(inp)
            else:
                del inp[draw(st.sampled_from(sorted(inp)))]
        elif kind == "duplicate":
            inputs.append(copy.deepcopy(inp))
        elif kind == "rename":
            inp["name"] = draw(st.one_of(st.sampled_from([*INPUTS, "label", "patient_name"]), TEXT))
        elif kind == "nesting":
            data = inp.get("data")
            how = draw(st.sampled_from(["nested", "scalar", "object", "column"]))
            inp["data"] = {
                "nested": [data],
                "scalar": data[0] if isinstance(data, list) and data else data,
                "object": {"data": data},
                "column": [[v] for v in data] if isinstance(data, list) else data,
            }[how]
        elif kind == "batch":
            _grow(body, draw(st.sampled_from([0, 1, 2, 40, 1001])))
        elif kind == "parameters":
            body["parameters"] = draw(
                st.one_of(
                    st.fixed_dictionaries({"explain": JSON_VALUES}),
                    st.fixed_dictionaries({"content_type": JSON_VALUES}),
                    st.fixed_dictionaries({"headers": JSON_VALUES}),
                    JSON_VALUES,
                )
            )
        elif kind == "id":
            body["id"] = draw(JSON_SCALARS)
        elif kind == "top":
            body[draw(st.sampled_from(["inputs", "outputs", "parameters", "extra"]))] = draw(JSON_VALUES)
    return body


def _encode(body) -> bytes:
    # ensure_ascii keeps lone surrogates as \\ud800 escapes (a real client can send them; orjson refuses)
    return json.dumps(body).encode()


HOSTILE_BYTES = st.one_of(
    st.binary(max_size=64),
    JSON_VALUES.map(_encode),
    st.sampled_from(
        [
            b"",
            b"{",
            b'{"inputs": [ not json',
            b"\xff\xfe{}",
            b'{"inputs": []}',
            b'{"inputs": null}',
            b"[]",
            b'{"inputs": [{"name": "age", "datatype": "INT64", "shape": [1], "data": [NaN]}]}',
            b'{"inputs": [{"name": "age", "datatype": "INT64", "shape": [1], "data": [1e999]}]}',
            b'{"inputs": [{"name": "age", "datatype": "INT64", "shape": [1], "data": ["\\ud800"]}]}',
            b'{"inputs": [], "inputs": 1}',
        ]
    ),
)


def _post(base: str, model: str, raw: bytes) -> tuple[int, bytes]:
    request = urllib.request.Request(
        f"{base}/v2/models/{model}/infer", data=raw, headers={"Content-Type": "application/json"}
    )
    try:
        with urllib.request.urlopen(request, timeout=120) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as err:
        return err.code, err.read()


def _mlserver_parses(raw: bytes) -> bool:
    """Whether MLServer's REST layer accepts `raw` as an InferenceRequest (orjson, then pydantic)."""
    try:
        InferenceRequest.model_validate(orjson.loads(raw))
    except (orjson.JSONDecodeError, ValidationError, TypeError, ValueError):
        return False
    return True


def _json_object(raw: bytes) -> bool:
    try:
        return isinstance(orjson.loads(raw), dict)
    except orjson.JSONDecodeError:
        return False


def _event(what: str) -> None:
    if currently_in_test_context():  # shown by --hypothesis-show-statistics
        event(what)


def assert_v2_contract(status: int, raw: bytes, answer: bytes) -> None:
    text = answer.decode("utf-8", "replace")
    _event(f"status {status}")
    assert "Traceback" not in text and 'File "' not in text, text[:2000]
    assert 200 <= status < 500, (status, text[:2000])
    body = json.loads(answer)
    if status < 300:
        outputs = {o["name"]: o for o in body["outputs"]}
        risk, bands = outputs["readmission_risk"]["data"], outputs["risk_band"]["data"]
        assert len(risk) == len(bands) == outputs["readmission_risk"]["shape"][0] > 0, body
        assert all(isinstance(r, float) and math.isfinite(r) and 0.0 <= r <= 1.0 for r in risk), risk
        assert set(bands) <= set(BANDS), bands
        return
    if _mlserver_parses(raw):
        assert set(body) == {"error"} and isinstance(body["error"], str) and body["error"], body
        assert PLANTED not in body["error"], body
        _event(f"rejected by the runtime: {status}")
    else:
        assert status == (422 if _json_object(raw) else 400) and set(body) == {"error"}, (status, body)
        assert PLANTED not in body["error"], body
        _event(f"refused by the body guard: {status}")


@pytest.fixture(scope="module")
def example(served_model) -> dict:
    return json.loads((served_model["exported"] / "example-request.json").read_text())


def _still_answers(server, example: dict) -> None:
    status, answer = _post(server.base, server.model, _encode(example))
    assert status == 200, (status, answer[:2000])
    assert len(json.loads(answer)["outputs"][0]["data"]) == len(example["inputs"][0]["data"])


BUDGET = {"served_workers": 100, "served": 30}


@pytest.mark.parametrize("mode", ["served_workers", "served"])
def test_mutated_example_requests_get_2xx_or_a_clean_4xx(mode, request, example):
    server = request.getfixturevalue(mode)

    @fuzz(BUDGET[mode])
    @given(st.data())
    def check(data):
        raw = _encode(data.draw(mutated(example), label="body"))
        status, answer = _post(server.base, server.model, raw)
        assert_v2_contract(status, raw, answer)
        _still_answers(server, example)

    check()


@pytest.mark.parametrize("mode", ["served_workers", "served"])
def test_arbitrary_bodies_get_2xx_or_a_clean_4xx(mode, request, example):
    server = request.getfixturevalue(mode)

    @fuzz(BUDGET[mode] // 3)
    @given(HOSTILE_BYTES)
    def check(raw):
        status, answer = _post(server.base, server.model, raw)
        assert_v2_contract(status, raw, answer)
        _still_answers(server, example)

    check()


def _with(name: str, row: int | None, value):
    def change(body: dict) -> dict:
        for inp in body["inputs"]:
            if inp["name"] == name:
                if row is None:
                    inp["data"] = value
                else:
                    inp["data"][row] = value
        return body

    return change


def _undated_earlier_stay(body: dict) -> dict:
    earlier = [{"encounter_seq": 0, "encounter_class": "inpatient", "los_days": 2.0}]
    return _with("history", 0, json.dumps(earlier))(_with("encounter_seq", 0, 5)(body))


# the holes the generator found, as fixed cases: (case, change to the example request, status)
FOUND = [
    # MLServer echoes the id in the Ce-Id response header: the connection dropped without an answer
    ("request id with a control character", lambda b: {**b, "id": "\x1f"}, 400),
    ("request id outside latin-1", lambda b: {**b, "id": "Ω-1"}, 400),
    # the request-size check iterated the data before the flat-list check: 500 TypeError
    ("data a scalar", _with("age", None, 54), 400),
    # history features paired day gaps with the wrong earlier stays: 500 ValueError
    ("earlier stay without days, kept by its sequence number", _undated_earlier_stay, 200),
]


@pytest.mark.parametrize("mode", ["served_workers", "served"])
@pytest.mark.parametrize(("case", "change", "status"), FOUND, ids=[c for c, _, _ in FOUND])
def test_holes_the_generator_found_stay_closed(mode, case, change, status, request, example):
    server = request.getfixturevalue(mode)
    raw = _encode(change(copy.deepcopy(example)))
    got, answer = _post(server.base, server.model, raw)
    assert got == status, (case, got, answer[:2000])
    assert_v2_contract(got, raw, answer)
    _still_answers(server, example)
