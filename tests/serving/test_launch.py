"""`readmit-mlserver` (readmit.serving.launch): the two private names of MLServer it wraps are still where it
wraps them, every REST app MLServer then builds carries the body guard (readmit.serving.guard_middleware),
and every gRPC server it builds receives no message over the limit. Then the real server, started through
the launcher (`server.start`) once per worker mode for the session (tests/serving/conftest.py, limit
`BODY_LIMIT`), refuses bad bodies on REST and oversized messages on gRPC, and then answers a valid request."""

from __future__ import annotations

import asyncio
import gzip
import http.client
import inspect
import json
from urllib.parse import urlsplit

import grpc
import httpx
import pytest
from mlserver.errors import MLServerError
from mlserver.grpc import dataplane_pb2_grpc
from mlserver.grpc import server as grpc_server
from mlserver.grpc import utils as grpc_utils
from mlserver.grpc.converters import ModelInferRequestConverter, ModelInferResponseConverter
from mlserver.rest import app as mlserver_app
from mlserver.rest import requests as mlserver_requests
from mlserver.rest import server as rest_server
from mlserver.settings import Settings
from mlserver.types import InferenceRequest, InferenceResponse, RepositoryIndexResponse, ResponseOutput

from readmit.errors import InputError
from readmit.serving import guard, inference_log, launch
from readmit.serving.contract import BANDS
from readmit.serving.guard_middleware import BodyGuard
from serving.conftest import BODY_LIMIT, SELDON_GRPC_MAX_MESSAGE_LENGTH

LIMIT = 4096
PLANTED = ("Jane Marple", "MRN 4417-2290")
VALID = {"inputs": [{"name": "age", "datatype": "INT64", "shape": [1], "data": [70]}]}


class _DataPlane:
    """What MLServer's REST endpoints call for inference; records what reached it."""

    def __init__(self):
        self.seen = []

    async def live(self) -> bool:
        return True

    async def infer(self, payload, name, version=None):
        self.seen.append(payload)
        return InferenceResponse(
            model_name=name, outputs=[ResponseOutput(name="n", datatype="INT64", shape=[1], data=[1])]
        )


@pytest.fixture
def installed(monkeypatch):
    """The launcher's wraps, undone after the test."""
    monkeypatch.setattr(rest_server, "create_app", rest_server.create_app)
    monkeypatch.setattr(grpc_server.GRPCServer, "_get_options", grpc_server.GRPCServer._get_options)
    monkeypatch.setattr(grpc_utils, "STATUS_CODE_MAPPING", dict(grpc_utils.STATUS_CODE_MAPPING))
    launch.install(LIMIT)


class _Repository:
    """MLServer's model repository handlers: the index, recording the requests that reached it."""

    def __init__(self):
        self.seen = []

    async def index(self, payload):
        self.seen.append(payload)
        return RepositoryIndexResponse(root=[])


def _rest_app(data_plane, repository=None):
    """The app of MLServer's own RESTServer (the object `mlserver start` serves), gzip on as by default."""
    settings = Settings(metrics_endpoint=None, gzip_enabled=True)
    return rest_server.RESTServer(settings, data_plane, repository)._app


def _send(app, requests: list[tuple[str, str, object, dict]]) -> list[httpx.Response]:
    async def run():
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://m") as client:
            return [
                await client.request(method, path, content=body, headers=headers)
                for method, path, body, headers in requests
            ]

    return asyncio.run(run())


def test_mlserver_builds_its_rest_app_through_the_name_the_launcher_wraps():
    # mlserver/rest/server.py:9 imports create_app by name and RESTServer.__init__ calls it (:29)
    assert rest_server.create_app is mlserver_app.create_app
    assert "create_app(" in inspect.getsource(rest_server.RESTServer.__init__)


def test_every_rest_app_mlserver_builds_carries_the_guard_outermost(installed):
    app = _rest_app(_DataPlane())
    assert app.user_middleware[0].cls is BodyGuard and app.user_middleware[0].kwargs == {"limit": LIMIT}
    launch.install(LIMIT)  # a second install wraps the original again, not the wrap
    assert [m.cls for m in _rest_app(_DataPlane()).user_middleware].count(BodyGuard) == 1


def test_a_moved_create_app_stops_the_start_with_one_line(monkeypatch):
    monkeypatch.delattr(rest_server, "create_app")
    with pytest.raises(InputError, match="create_app"):
        launch.install(LIMIT)


def _grpc_options(**settings) -> dict:
    return dict(grpc_server.GRPCServer(Settings(**settings), None, None)._get_options())


def test_mlserver_sets_its_grpc_limits_through_the_name_the_launcher_wraps():
    # mlserver/grpc/server.py: _create_server passes options=self._get_options() to aio.server
    assert "self._get_options()" in inspect.getsource(grpc_server.GRPCServer._create_server)
    assert _grpc_options(grpc_max_message_length=1000)["grpc.max_receive_message_length"] == 1000


@pytest.mark.parametrize(
    ("configured", "received"),
    [(int(SELDON_GRPC_MAX_MESSAGE_LENGTH), LIMIT), (None, LIMIT), (LIMIT // 2, LIMIT // 2)],
)
def test_every_grpc_server_mlserver_builds_receives_at_most_the_limit(installed, configured, received):
    options = _grpc_options(grpc_max_message_length=configured)
    receive = {k: options[k] for k in launch.RECEIVE_OPTIONS}
    assert receive == dict.fromkeys(launch.RECEIVE_OPTIONS, received)
    # what the server sends is left as configured: an answer with explanations may outgrow its request
    assert options.get("grpc.max_send_message_length") == configured
    launch.install(LIMIT)  # a second install wraps the original again, not the wrap
    assert _grpc_options(grpc_max_message_length=configured)["grpc.max_receive_message_length"] == received


def test_a_413_reaches_grpc_clients_as_resource_exhausted_and_mlservers_own_codes_stay(installed):
    code = grpc_utils._grpc_status_code
    assert code(MLServerError("too many stays", 413)) == grpc.StatusCode.RESOURCE_EXHAUSTED
    assert code(MLServerError("bad", 400)) == grpc.StatusCode.INVALID_ARGUMENT
    assert code(MLServerError("?", 418)) == grpc.StatusCode.UNKNOWN


def test_a_moved_grpc_options_method_stops_the_start_with_one_line(monkeypatch):
    monkeypatch.delattr(grpc_server.GRPCServer, "_get_options")
    with pytest.raises(InputError, match="_get_options"):
        launch.install(LIMIT)
    assert not hasattr(rest_server.create_app, "readmit_guard_limit")  # nothing is wrapped half-way


def test_a_moved_grpc_status_mapping_stops_the_start_with_one_line(monkeypatch):
    monkeypatch.delattr(grpc_utils, "STATUS_CODE_MAPPING")
    with pytest.raises(InputError, match="STATUS_CODE_MAPPING"):
        launch.install(LIMIT)
    assert not hasattr(grpc_server.GRPCServer._get_options, "readmit_guard_limit")


def test_a_bad_limit_exits_2_with_one_line_before_mlserver_starts(monkeypatch, capsys):
    monkeypatch.setenv(guard.LIMIT_ENV, "lots")
    monkeypatch.setattr(launch, "mlserver_main", lambda: pytest.fail("MLServer started"))
    with pytest.raises(SystemExit) as exited:
        launch.main()
    err = capsys.readouterr().err
    assert exited.value.code == 2 and err.startswith("readmit-mlserver: error: ") and err.count("\n") == 1


def _chunks(total: int):
    async def gen():
        for _ in range(0, total, 1024):
            yield b" " * 1024

    return gen()


def test_bad_bodies_get_4xx_error_bodies_that_never_echo_and_valid_ones_pass(installed):
    name, mrn = PLANTED
    data_plane = _DataPlane()
    infer, json_type = "/v2/models/m/infer", {"content-type": "application/json"}
    gzipped = {**json_type, "content-encoding": "gzip"}
    # long enough that MLServer's GZipMiddleware compresses its 422 (over 500 bytes) for this client
    not_v2 = json.dumps({"inputs": [VALID["inputs"][0], f"{name} {mrn} " * 40]}).encode()
    answers = _send(
        _rest_app(data_plane),
        [
            ("POST", infer, f'{{"inputs": [{{"name": "{name}", "mrn": "{mrn}" '.encode(), json_type),
            ("POST", infer, not_v2, {**json_type, "accept-encoding": "gzip"}),
            ("POST", "/v2/models/m/versions/1/infer", json.dumps([name, mrn]).encode(), json_type),
            ("POST", infer, name.encode() * LIMIT, json_type),
            ("POST", infer, _chunks(LIMIT + 1), json_type),
            ("POST", infer, gzip.compress(b" " * (LIMIT + 1)), gzipped),
            ("POST", infer, f"{name} {mrn}".encode(), gzipped),
            ("POST", infer, gzip.compress(json.dumps(VALID).encode()), gzipped),
            ("POST", infer, json.dumps(VALID).encode(), json_type),
        ],
    )
    assert [a.status_code for a in answers] == [400, 422, 400, 413, 413, 413, 400, 200, 200]
    for answer in answers[:7]:
        assert set(answer.json()) == {"error"}, answer.text[:200]
        assert "Marple" not in answer.text and "4417-2290" not in answer.text
    assert "malformed JSON at byte" in answers[0].json()["error"]
    assert "inputs.1: model_attributes_type" in answers[1].json()["error"]
    assert all(str(LIMIT) in a.json()["error"] for a in answers[3:6])
    assert len(data_plane.seen) == 2 and all(p.inputs[0].data.root == [70] for p in data_plane.seen)


def test_a_gzip_body_is_inflated_once_by_the_guard_and_mlserver_parses_that(installed, monkeypatch):
    monkeypatch.setattr(mlserver_requests, "gzip_decompress", lambda _: pytest.fail("inflated again"))
    data_plane = _DataPlane()
    headers = {"content-type": "application/json", "content-encoding": "gzip"}
    answers = _send(
        _rest_app(data_plane),
        [
            ("POST", "/v2/models/m/infer", gzip.compress(json.dumps(VALID).encode()), headers),
            ("POST", "/v2/models/m/infer", gzip.compress(b'{"inputs": 7}'), headers),
        ],
    )
    assert [a.status_code for a in answers] == [200, 422]
    assert len(data_plane.seen) == 1 and data_plane.seen[0].inputs[0].data.root == [70]


def test_the_guard_holds_below_mlservers_root_path(installed):
    app = _rest_app(_DataPlane())

    async def run():
        transport = httpx.ASGITransport(app=app, root_path="/seldon/ns")
        async with httpx.AsyncClient(transport=transport, base_url="http://m") as client:
            return await client.post("/seldon/ns/v2/models/m/infer", content=b'{"inputs": [')

    answer = asyncio.run(run())
    assert answer.status_code == 400 and "malformed JSON" in answer.json()["error"]


def test_only_v2_inference_posts_are_guarded(installed):
    big = json.dumps({"ready": True, "filler": " " * LIMIT}).encode()
    repository = _Repository()
    answers = _send(
        _rest_app(_DataPlane(), repository),
        [
            ("GET", "/v2/health/live", None, {}),
            ("POST", "/v2/repository/index", big, {"content-type": "application/json"}),
            ("GET", "/v2/models/m/infer", None, {}),
        ],
    )
    assert answers[0].status_code == 200
    assert answers[1].status_code == 200 and len(repository.seen) == 1  # over the limit, not inference
    assert answers[2].status_code == 405 and "error" not in answers[2].text  # FastAPI's, untouched


def _raw_post(base: str, path: str, headers: dict, parts: list[bytes]) -> tuple[int, dict]:
    """POST with exactly these headers, sending `parts` as they are (the server may answer before the
    rest of a declared body arrives: it must not need it)."""
    url = urlsplit(base)
    connection = http.client.HTTPConnection(url.hostname, url.port, timeout=60)
    try:
        connection.putrequest("POST", path)
        for name, value in headers.items():
            connection.putheader(name, value)
        connection.endheaders()
        for part in parts:
            connection.send(part)
        response = connection.getresponse()
        return response.status, json.loads(response.read())
    finally:
        connection.close()


def _chunked(payload: bytes, size: int = 1 << 20) -> list[bytes]:
    """`payload` in HTTP/1.1 chunked framing, without the closing chunk: the last chunk crosses the limit,
    and the server answers from there."""
    return [
        b"%x\r\n%s\r\n" % (len(c), c) for c in (payload[i : i + size] for i in range(0, len(payload), size))
    ]


@pytest.mark.parametrize("mode", ["served", "served_workers"])
def test_mlserver_through_the_launcher_refuses_bad_bodies_without_echo_then_answers(
    mode, request, served_model
):
    served = request.getfixturevalue(mode)
    name, mrn = PLANTED
    path, json_type = f"/v2/models/{served.model}/infer", {"Content-Type": "application/json"}
    planted = f"{name} {mrn}".encode()
    bomb = gzip.compress(planted + b" " * BODY_LIMIT)  # ~8 kB that inflates past the limit
    before = len(inference_log.read_requests(served.log)) if served.log.exists() else 0
    answers = [
        served.post(b'{"inputs": [{"name": "' + planted + b'" not json'),
        served.post({"id": "x", "inputs": [VALID["inputs"][0], f"{name} {mrn}"]}),
        served.post(json.dumps([name, mrn]).encode()),
        _raw_post(served.base, path, {**json_type, "Content-Length": str(BODY_LIMIT + 1)}, [planted]),
        _raw_post(
            served.base,
            path,
            {**json_type, "Transfer-Encoding": "chunked"},
            _chunked(planted + b" " * (BODY_LIMIT + 1 - len(planted))),
        ),
        _raw_post(
            served.base,
            path,
            {**json_type, "Content-Encoding": "gzip", "Content-Length": str(len(bomb))},
            [bomb],
        ),
    ]
    assert [status for status, _ in answers] == [400, 422, 400, 413, 413, 413], answers
    for status, body in answers:
        assert set(body) == {"error"} and isinstance(body["error"], str), (status, body)
        assert "Marple" not in body["error"] and "4417-2290" not in body["error"]
    assert "malformed JSON at byte" in answers[0][1]["error"]
    assert "inputs.1: model_attributes_type" in answers[1][1]["error"]
    assert all(str(BODY_LIMIT) in body["error"] for _, body in answers[3:])

    status, body = served.post(json.loads((served_model["exported"] / "example-request.json").read_text()))
    assert status == 200 and len(body["outputs"][0]["data"]) == 3
    status, text = served.get_metrics()
    counted = {
        line.split('"')[1]: float(line.split()[-1])
        for line in text.splitlines()
        if line.startswith("readmit_body_refusals_total{")
    }
    assert counted.get("400", 0) >= 2 and counted.get("413", 0) >= 3 and counted.get("422", 0) >= 1, counted
    # the refused bodies never reached the runtime: the valid request is the one new line of the log
    assert list(inference_log.read_requests(served.log)["status"].iloc[before:]) == [200]
    for text in (served.log.read_text(errors="replace"), served.output.read_text(errors="replace")):
        assert "Marple" not in text and "4417-2290" not in text


def _grpc_infer(address: str, model: str, body: dict):
    """One V2 ModelInfer over gRPC, the client allowed to send and receive anything."""
    unlimited = [("grpc.max_send_message_length", -1), ("grpc.max_receive_message_length", -1)]
    inputs = [  # protobuf carries BYTES as bytes, where JSON carries text
        {**i, "data": [v.encode() for v in i["data"]]} if i["datatype"] == "BYTES" else i
        for i in body["inputs"]
    ]
    request = InferenceRequest.model_validate({**body, "inputs": inputs})
    message = ModelInferRequestConverter.from_types(request, model_name=model)
    with grpc.insecure_channel(address, options=unlimited) as channel:
        stub = dataplane_pb2_grpc.GRPCInferenceServiceStub(channel)
        return ModelInferResponseConverter.to_types(stub.ModelInfer(message, timeout=120))


@pytest.mark.parametrize("mode", ["served", "served_as_seldon"])
def test_grpc_refuses_a_message_over_the_limit_without_echo_then_answers(mode, request, served_model):
    served = request.getfixturevalue(mode)
    limit = BODY_LIMIT
    if (
        mode == "served_as_seldon"
    ):  # the pod's own gRPC limit, which the launcher caps at the pod's body limit
        assert served.env["MLSERVER_GRPC_MAX_MESSAGE_LENGTH"] == SELDON_GRPC_MAX_MESSAGE_LENGTH
        limit = guard.body_limit(served.env)
    name, mrn = PLANTED
    pad = {"name": "note", "datatype": "BYTES", "shape": [1], "data": [f"{name} {mrn} " + " " * limit]}
    example = json.loads((served_model["exported"] / "example-request.json").read_text())
    with pytest.raises(grpc.RpcError) as refused:
        _grpc_infer(served.grpc, served.model, {**example, "inputs": [*example["inputs"], pad]})
    assert refused.value.code() == grpc.StatusCode.RESOURCE_EXHAUSTED, refused.value
    assert "Marple" not in refused.value.details() and "4417-2290" not in refused.value.details()
    # the runtime's own 413 (more stays than max_rows, 1000): RESOURCE_EXHAUSTED as well, not UNKNOWN
    many = {
        **example,
        "inputs": [{**i, "shape": [1001], "data": (i["data"] * 334)[:1001]} for i in example["inputs"]],
    }
    with pytest.raises(grpc.RpcError) as refused:
        _grpc_infer(served.grpc, served.model, many)
    assert refused.value.code() == grpc.StatusCode.RESOURCE_EXHAUSTED, refused.value
    assert "batch of 1001 stays exceeds the maximum of 1000" in refused.value.details()
    answer = _grpc_infer(served.grpc, served.model, example)
    risk = next(o for o in answer.outputs if o.name == "readmission_risk")
    band = next(o for o in answer.outputs if o.name == "risk_band")
    assert len(risk.data) == 3 and all(0 <= r <= 1 for r in risk.data)
    assert all(isinstance(b, bytes) and b.decode() in BANDS for b in band.data)
    for text in (served.log.read_text(errors="replace"), served.output.read_text(errors="replace")):
        assert "Marple" not in text and "4417-2290" not in text
