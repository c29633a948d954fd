"""The router: an ASGI app on uvicorn (the stack MLServer itself runs on) in front of one multi-model
MLServer, routing V2 inference requests as Seldon's Envoy does (readmit.traffic.experiment).

- POST /v2/models/<any>/infer: routed by `seldon-model` (and `x-seldon-route` when re-sent); the path's
  model name is rewritten to the chosen `<model>_<version>`, as Seldon's agent does with the
  `seldon-internal-model` header. MLServer's status and body pass through unchanged, so the serving
  contract's 4xx answers hold; the answer gains `x-seldon-route: :<model>_<version>:`.
- The mirror gets a copy of the request in a task of its own (the answer does not wait for it); its
  answer is logged (status and route only: the runtime's inference log holds its scores), never returned.
- Bodies pass readmit.serving.guard (the guard MLServer itself runs, started by `readmit-mlserver`): over
  its size limit (`READMIT_MAX_BODY_BYTES`) 413 before MLServer sees them; a 422 in FastAPI's form (from an
  MLServer started without the guard) becomes 400 for malformed JSON and 422 for a body that is not a V2
  request, as `{"error": ...}` without the echoed input.
- 404 `{"error": ...}` when no route matches (Envoy's "no route"), 503 when MLServer is unreachable.
- GET /v2/health/*, /v2/models/<model>[/ready]: passed through (a Seldon Model name maps to its served name).
- Any other method on an /infer path: 405 `{"error": ...}`.

Per request the router reads only the two routing headers, Content-Length and Content-Encoding, and
forwards the body's bytes with their encoding (MLServer inflates gzip): it never parses the JSON.
Inference requests are answered from the ASGI messages (`Router`, `infer`); the rest (health, metadata,
the CDS service, lifespan) by a Starlette app.
Its HTTP client is one aiohttp session (C-accelerated parser, keep-alive pool) made once per event loop:
httpx's pure-Python stack (httpcore, h11, anyio) cost ~1.8 ms CPU per proxied request (bench_traffic.py).
"""

from __future__ import annotations

import asyncio
import json
import logging
import random
import re
from collections.abc import Callable
from typing import NamedTuple

import aiohttp
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from readmit.serving import guard
from readmit.traffic.experiment import (
    MODEL_HEADER,
    ROUTE_HEADER,
    Decision,
    NoRoute,
    Table,
    Target,
    decide,
)

LOG = logging.getLogger("readmit.traffic.router")


UNREACHABLE = (aiohttp.ClientError, asyncio.TimeoutError)  # what a failed call to the model server raises
JSON = {"content-type": "application/json"}


class Answer(NamedTuple):
    """A model server's answer, read whole."""

    status_code: int
    content_type: str | None
    content: bytes
    route: str | None = None  # x-seldon-route, when the server sent one

    def json(self):
        return json.loads(self.content)


class Client:
    """One keep-alive aiohttp session to a base URL, made on first use inside the serving event loop."""

    def __init__(self, base_url: str, timeout: float):
        self.base_url, self.timeout = base_url.rstrip("/"), timeout
        self.session: aiohttp.ClientSession | None = None

    async def request(self, method: str, path: str, body: bytes | None = None, headers=None) -> Answer:
        if self.session is None:
            self.session = aiohttp.ClientSession(
                # idle connections are dropped well before uvicorn's 5 s keep-alive closes them server-side
                connector=aiohttp.TCPConnector(limit=64, keepalive_timeout=2),
                timeout=aiohttp.ClientTimeout(total=self.timeout),
                # No Accept-Encoding: MLServer gzips answers over 1 kB for clients that accept it
                # (mlserver/rest/app.py GZipMiddleware); on loopback that costs CPU at both ends.
                skip_auto_headers=("User-Agent", "Accept-Encoding"),
            )
        try:
            return await self._send(method, path, body, headers)
        except (aiohttp.ServerDisconnectedError, aiohttp.ClientOSError):
            # a pooled connection the server closed as it was reused: no answer came, so send once more
            return await self._send(method, path, body, headers)

    async def _send(self, method: str, path: str, body: bytes | None, headers) -> Answer:
        async with self.session.request(method, self.base_url + path, data=body, headers=headers) as r:
            content = await r.read()
            return Answer(r.status, r.headers.get("content-type"), content, r.headers.get(ROUTE_HEADER))

    async def close(self) -> None:
        if self.session is not None:
            await self.session.close()


class Upstream:
    """The router's pooled client to MLServer; `score` is what the CDS service calls in-process."""

    def __init__(self, table: Table, base_url: str, rng: Callable[[], float] = random.random):
        self.table, self.base_url, self.rng = table, base_url.rstrip("/"), rng
        self.body_limit = guard.body_limit()
        self.client = Client(self.base_url, timeout=60.0)
        self.mirrors: set[asyncio.Task] = set()
        self.mirrored = 0

    def decide(self, seldon_model: str | None, route: str | None) -> Decision:
        return decide(self.table, seldon_model, route, self.rng(), self.rng())

    async def infer(self, decision: Decision, body: bytes, encoding: str | None = None) -> Answer:
        return await self._post(decision.target, body, encoding)

    async def _post(self, target: Target, body: bytes, encoding: str | None) -> Answer:
        """`encoding`: the client's Content-Encoding, forwarded with the body's bytes (MLServer inflates
        gzip)."""
        headers = {**JSON, "Content-Encoding": encoding} if encoding else JSON
        return await self.client.request("POST", f"/v2/models/{target.served}/infer", body, headers)

    async def score(self, body: bytes, seldon_model: str | None) -> tuple[Answer, Target]:
        """Route and answer one request as a client with header `seldon-model` would be answered."""
        decision = self.decide(seldon_model, None)
        answer = await self.infer(decision, body)
        self.mirror(decision, body)
        return answer, decision.target

    def mirror(self, decision: Decision, body: bytes, encoding: str | None = None) -> None:
        if decision.mirror is None:
            return
        task = asyncio.get_running_loop().create_task(self._mirror(decision, body, encoding))
        self.mirrors.add(task)
        task.add_done_callback(self.mirrors.discard)

    async def _mirror(self, decision: Decision, body: bytes, encoding: str | None) -> None:
        target = decision.mirror
        try:
            status = (await self._post(target, body, encoding)).status_code
        except UNREACHABLE as exc:
            status = f"unreachable ({type(exc).__name__})"
        self.mirrored += 1
        LOG.info("mirror %s answered %s (not returned)", target.served, status)

    async def close(self) -> None:
        if self.mirrors:
            await asyncio.gather(*self.mirrors, return_exceptions=True)
        await self.client.close()


Reply = tuple[int, list[tuple[bytes, bytes]], bytes]  # an ASGI answer: status, raw headers, body
_INFER = re.compile(r"/v2/models/[^/]+(?:/versions/[^/]+)?/infer")
_JSON_TYPE = (b"content-type", b"application/json")


def _refused(status: int, message: str, route: str | None = None) -> Reply:
    """`{"error": ...}`, MLServer's error body."""
    body = guard.error_body(message)
    headers = [_JSON_TYPE]
    if route:
        headers.append((ROUTE_HEADER.encode(), route.encode()))
    return status, headers, body


async def infer(upstream: Upstream, scope: dict, receive) -> Reply:
    """One V2 inference request, answered from the ASGI scope and body alone: two headers read, the body
    forwarded as bytes, MLServer's status and body passed through (nothing parsed, nothing re-encoded)."""
    model = route = declared = encoding = None
    for name, value in scope["headers"]:
        if name == b"seldon-model":
            model = model or value.decode("latin-1")
        elif name == b"x-seldon-route":
            route = route or value.decode("latin-1")
        elif name == b"content-length":
            declared = value.decode("latin-1")
        elif name == b"content-encoding":
            encoding = value.decode("latin-1")
    try:
        decision = upstream.decide(model, route)
    except NoRoute as exc:
        return _refused(404, str(exc))
    try:
        body = await guard.read_body(receive, declared, upstream.body_limit)
    except guard.Refused as exc:
        return _refused(exc.status, str(exc))
    target = decision.target
    try:
        answer = await upstream.infer(decision, body, encoding)
    except UNREACHABLE as exc:
        return _refused(503, f"model server unreachable ({type(exc).__name__}); retry", target.route)
    if answer.status_code == 422:  # FastAPI's form echoes the value; the guard's own is kept (serving.guard)
        gzipped = encoding == "gzip"
        return _refused(*guard.refusal(body, answer.content, gzipped, upstream.body_limit), target.route)
    upstream.mirror(decision, body, encoding)  # fire and forget, as Envoy's request mirror policy
    headers = [(b"x-seldon-route", target.route_bytes)]
    if answer.content_type:
        headers.append((b"content-type", answer.content_type.encode("latin-1")))
    return answer.status_code, headers, answer.content


class Router:
    """The ASGI app. V2 inference POSTs (the hot path) are answered by `infer` straight from the ASGI
    messages: no Starlette Request, Response, middleware or route matching per call, which cost about a
    third of the router's CPU per proxied request (bench_traffic.py). Everything else (health, model
    metadata, the CDS service, lifespan) goes to the Starlette app `rest`."""

    def __init__(self, upstream: Upstream, rest: Starlette):
        self.upstream, self.rest = upstream, rest
        self.state = rest.state

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http" or not _INFER.fullmatch(scope["path"]):
            return await self.rest(scope, receive, send)
        if scope["method"] != "POST":
            status, headers, body = _refused(405, f"{scope['method']} is not allowed here; POST a V2 request")
            headers.append((b"allow", b"POST"))
        else:
            try:
                status, headers, body = await infer(self.upstream, scope, receive)
            except guard.Disconnected:
                return
        headers.append((b"content-length", str(len(body)).encode()))
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})


def _passed(answer: Answer, headers: dict[str, str]) -> Response:
    """The model server's status and body bytes as they came (media type included, nothing re-encoded)."""
    if answer.content_type:
        headers["content-type"] = answer.content_type
    return Response(answer.content, answer.status_code, headers=headers)


async def _passthrough(request: Request) -> Response:
    upstream: Upstream = request.app.state.upstream
    path = request.url.path
    name = request.path_params.get("name")
    if name is not None:
        target = upstream.table.models.get(name)
        if target is not None:
            path = path.replace(f"/v2/models/{name}", f"/v2/models/{target.served}", 1)
    try:
        answer = await upstream.client.request("GET", path)
    except UNREACHABLE as exc:
        status, headers, body = _refused(503, f"model server unreachable ({type(exc).__name__}); retry")
        return Response(body, status, headers={k.decode(): v.decode() for k, v in headers})
    return _passed(answer, {})


def routes() -> list[Route]:
    return [
        Route("/v2/health/live", _passthrough),
        Route("/v2/health/ready", _passthrough),
        Route("/v2/models/{name}", _passthrough),
        Route("/v2/models/{name}/ready", _passthrough),
    ]


def app(upstream: Upstream, extra_routes: list[Route] | None = None) -> Router:
    """The router app; `extra_routes` (the CDS Hooks service) share its port and upstream."""

    async def lifespan(app):
        yield
        await upstream.close()

    rest = Starlette(routes=[*routes(), *(extra_routes or [])], lifespan=lifespan)
    rest.state.upstream = upstream
    return Router(upstream, rest)


class SeldonMesh:
    """The cluster's Seldon inference endpoint (the `seldon-mesh` Service, Envoy): Envoy routes by the
    Experiment itself; the answering version comes back in `x-seldon-route` (`:readmission-v<N>_<v>:`,
    readmit.traffic.experiment). Same `score` as Upstream, so the CDS service runs on either."""

    def __init__(self, base_url: str, seldon_model: str):
        self.seldon_model = seldon_model
        self.client = Client(base_url, timeout=30.0)

    async def score(self, body: bytes, seldon_model: str | None = None) -> tuple[Answer, Target]:
        headers = {**JSON, MODEL_HEADER: seldon_model or self.seldon_model}
        answer = await self.client.request("POST", "/v2/models/readmission/infer", body, headers)
        route = (answer.route or "").strip(":").split(":")[0]
        model = route.rsplit("_", 1)[0]
        if not _MODEL.fullmatch(model):
            raise NoRoute(f"the inference endpoint named no readmission-v<N> model in {ROUTE_HEADER}")
        return answer, Target(model, int(model.rsplit("v", 1)[1]))

    async def close(self) -> None:
        await self.client.close()


_MODEL = re.compile(r"readmission-v[0-9]+")
