"""The router's guard: malformed JSON, a body over the limit and a body that is JSON but not a V2 request
each get a 4xx `{"error": ...}` that never repeats what was sent; a valid request afterwards is answered.

MLServer here is its own FastAPI app without the launcher's guard (mlserver.rest.app.create_app, what plain
`mlserver start` serves) with a stand-in data plane, reached in-process: the router alone must hold the
contract. MLServer with its own guard (`readmit-mlserver`), in both worker modes: tests/serving/test_launch.
"""

from __future__ import annotations

import asyncio
import json
import logging
from types import SimpleNamespace

import httpx
import orjson
from mlserver.rest.app import create_app
from mlserver.settings import Settings
from mlserver.types import InferenceResponse, ResponseOutput

from readmit.serving import guard
from readmit.traffic import router
from traffic.conftest import models_yaml, table_of

PLANTED = ("Jane Marple", "MRN 4417-2290")
HEADERS = {"seldon-model": "readmission.experiment", "content-type": "application/json"}
VALID = {"inputs": [{"name": "age", "datatype": "INT64", "shape": [1], "data": [70]}]}


class _DataPlane:
    async def infer(self, payload, name, version=None):
        return InferenceResponse(
            model_name=name, outputs=[ResponseOutput(name="n", datatype="INT64", shape=[1], data=[1])]
        )


class _InProcess:
    """router.Client's interface over MLServer's ASGI app, no socket."""

    def __init__(self, app):
        self.http = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://mlserver")

    async def request(self, method: str, path: str, body: bytes | None = None, headers=None) -> router.Answer:
        r = await self.http.request(method, path, content=body, headers=headers)
        return router.Answer(r.status_code, r.headers.get("content-type"), r.content)

    async def close(self) -> None:
        await self.http.aclose()


def _post_all(bodies: list) -> list[httpx.Response]:
    """Each body through router -> MLServer's app, in order; a body may be bytes or a byte iterator."""
    upstream = router.Upstream(table_of(models_yaml({1: 100}, default=1)), "http://mlserver")
    mlserver = create_app(Settings(metrics_endpoint=None, gzip_enabled=False), _DataPlane(), None)
    upstream.client = _InProcess(mlserver)
    app = router.app(upstream)

    async def run():
        out = []
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://router"
        ) as client:
            for body in bodies:
                out.append(await client.post("/v2/models/readmission/infer", content=body, headers=HEADERS))
        await upstream.close()
        return out

    return asyncio.run(run())


def _chunks(total: int):
    async def gen():
        sent = 0
        while sent < total:
            yield b" " * 65536
            sent += 65536

    return gen()


def test_refusals_name_the_problem_never_the_input_and_the_next_request_is_answered(caplog):
    name, mrn = PLANTED
    malformed = f'{{"inputs": [{{"name": "{name}", "mrn": "{mrn}" '.encode()
    not_v2 = json.dumps(
        {
            "id": "x",
            "inputs": [{"name": "age", "datatype": "INT64", "shape": [1], "data": [1]}, f"{name} {mrn}"],
        }
    )
    not_an_object = json.dumps([name, mrn]).encode()
    too_big = b'{"inputs": "' + name.encode() * 2_000_000 + b'"}'
    with caplog.at_level(logging.DEBUG):
        answers = _post_all(
            [
                malformed,
                not_v2.encode(),
                not_an_object,
                too_big,
                _chunks(guard.MAX_BODY_BYTES + 1),
                json.dumps(VALID),
            ]
        )
    statuses = [a.status_code for a in answers]
    assert statuses == [400, 422, 400, 413, 413, 200], [a.text[:200] for a in answers]
    for answer in answers[:5]:
        assert set(answer.json()) == {"error"}, answer.text[:200]
        assert name not in answer.text and mrn not in answer.text and "Marple" not in answer.text
    assert "malformed JSON at byte" in answers[0].json()["error"]
    assert (
        "inputs.1: model_attributes_type" in answers[1].json()["error"]
        and "limit" in answers[3].json()["error"]
    )
    assert answers[5].json()["outputs"][0]["data"] == [1]
    assert not [r for r in caplog.records if name in r.getMessage() or mrn in r.getMessage()]


def test_mlservers_own_schema_answer_echoes_the_input_which_is_why_the_router_rewrites_it():
    mlserver = create_app(Settings(metrics_endpoint=None, gzip_enabled=False), _DataPlane(), None)

    async def run():
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=mlserver), base_url="http://m") as c:
            return await c.post("/v2/models/m/infer", content=json.dumps({"inputs": PLANTED[0]}))

    answer = asyncio.run(run())
    assert answer.status_code == 422 and PLANTED[0] in answer.text  # MLServer 1.7.1: rest/app.py, errors.py


def test_a_valid_request_is_forwarded_unparsed_and_only_a_refused_body_is_parsed(monkeypatch):
    parsed = []

    def loads(data):
        parsed.append(bytes(data))
        return orjson.loads(data)

    monkeypatch.setattr(
        guard,
        "orjson",
        SimpleNamespace(loads=loads, dumps=orjson.dumps, JSONDecodeError=orjson.JSONDecodeError),
    )
    valid, malformed = json.dumps(VALID).encode(), b'{"inputs": ['
    answers = _post_all([valid, malformed])
    assert [a.status_code for a in answers] == [200, 400]
    assert valid not in parsed and malformed in parsed


def test_an_infer_path_answers_other_methods_405_in_the_error_contract():
    upstream = router.Upstream(table_of(models_yaml({1: 100}, default=1)), "http://mlserver")
    app = router.app(upstream)

    async def run():
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://r") as client:
            return [
                await client.get("/v2/models/readmission/infer", headers=HEADERS),
                await client.put("/v2/models/readmission/versions/1/infer", headers=HEADERS),
            ]

    answers = asyncio.run(run())
    assert [a.status_code for a in answers] == [405, 405]
    assert all(set(a.json()) == {"error"} and a.headers["allow"] == "POST" for a in answers)
