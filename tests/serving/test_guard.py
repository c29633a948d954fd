"""The shared body guard (readmit.serving.guard): its configured limit, the gzip inflation under that limit,
and the rewrite of FastAPI's 422 into field names and positions only."""

from __future__ import annotations

import gzip
import json

import pytest

from readmit.errors import InputError
from readmit.serving import guard


def test_the_limit_defaults_to_16_mib_and_is_read_from_its_variable():
    assert guard.body_limit({}) == guard.MAX_BODY_BYTES == 16 * 1024 * 1024
    assert guard.body_limit({guard.LIMIT_ENV: " 4096 "}) == 4096


@pytest.mark.parametrize("value", ["0", "-1", "16MiB", "1e6"])
def test_a_limit_that_is_not_a_positive_byte_count_is_an_input_error_naming_the_variable(value):
    with pytest.raises(InputError, match=guard.LIMIT_ENV):
        guard.body_limit({guard.LIMIT_ENV: value})


def test_a_gzip_body_inflates_under_the_limit_and_a_bomb_is_refused_before_it_inflates_whole():
    assert guard.inflated(gzip.compress(b'{"inputs": []}'), 100) == b'{"inputs": []}'
    bomb = gzip.compress(b" " * 5_000_000)  # ~5 kB that would inflate to 5 MB
    with pytest.raises(guard.Refused) as refused:
        guard.inflated(bomb, 1024)
    assert refused.value.status == 413 and "1024" in str(refused.value)
    with pytest.raises(guard.Refused) as refused:
        guard.inflated(b"Jane Marple", 1024)
    assert refused.value.status == 400 and "Marple" not in str(refused.value)
    with pytest.raises(guard.Refused) as refused:
        guard.inflated(gzip.compress(b'{"inputs": []}')[:-9], 1024)  # cut short
    assert refused.value.status == 400


def test_an_answer_already_in_the_error_contract_is_kept():
    assert guard.schema_error(guard.error_body("input 'age' is missing")) == "input 'age' is missing"


@pytest.mark.parametrize(
    ("detail", "expected"),
    [
        (
            {"detail": [{"loc": ["body", "parameters", "Jane Marple"], "type": "int_type"}]},
            "parameters.…: int_type",
        ),
        (
            {"detail": [{"loc": ["body"], "type": "model_attributes_type"}, {"loc": []}]},
            "body: model_attributes_type (and 1 more)",
        ),
        ({"detail": "Jane Marple"}, "schema"),
        ({"detail": [{"loc": ["body"], "type": "Jane Marple"}]}, "body: invalid"),
    ],
)
def test_schema_error_keeps_field_names_and_positions_only(detail, expected):
    text = guard.schema_error(json.dumps(detail).encode())
    assert expected in text and "Jane" not in text


def test_a_gzip_body_answered_422_is_judged_inflated_under_the_limit():
    where = {"loc": ["body", "inputs", 0], "type": "model_attributes_type"}
    detail = json.dumps({"detail": [where]}).encode()
    not_v2 = gzip.compress(b'{"inputs": ["Jane Marple"]}')
    status, message = guard.refusal(not_v2, detail, gzipped=True)
    assert status == 422 and "inputs.0: model_attributes_type" in message and "Marple" not in message
    assert guard.refusal(not_v2, detail)[0] == 400  # read as sent, the gzip bytes are no JSON
    assert guard.refusal(gzip.compress(b"[1, 2]"), detail, gzipped=True)[0] == 400
    assert guard.refusal(b'{"inputs": []}', detail, gzipped=True)[0] == 400  # labelled gzip, it is not
    assert guard.refusal(gzip.compress(b" " * 5_000), detail, gzipped=True, limit=1024)[0] == 413
