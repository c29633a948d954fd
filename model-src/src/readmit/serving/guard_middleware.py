"""The body guard as ASGI middleware on MLServer's own FastAPI app (added by readmit.serving.launch): V2
inference POSTs are read under the size limit before MLServer sees them, and MLServer's 422 answer is
rewritten into the error contract (readmit.serving.guard). Everything else (health, metadata, the model
repository, metrics) passes untouched, and so does every answer but a 422.

The body read here is handed to MLServer as one ASGI message, so it is read once; a valid request is
never parsed here. A `Content-Encoding: gzip` body (which MLServer would inflate whole,
`mlserver/rest/requests.py`) is inflated here under the same limit, and MLServer is handed the inflated
body without that header, so it is inflated once.

Refusals never reach the runtime (no inference log line, no `readmit_rejections_*`), so they are counted
here: `readmit_body_refusals_total{status="400"|"413"|"422"}` on MLServer's metrics endpoint. The counter
is made at the first refusal, after MLServer has set up its metrics (`mlserver/server.py:32`, before the
REST server; `mlserver/metrics/prometheus.py` `configure_metrics` switches prometheus_client to its
multiprocess files with workers and notes that metrics must be made lazily for that), so it is served in
both worker modes.
"""

from __future__ import annotations

import functools
import gzip
import re

import prometheus_client

from readmit.serving.guard import (
    MAX_BODY_BYTES,
    Disconnected,
    Refused,
    error_body,
    inflated,
    read_body,
    refusal,
)
from readmit.serving.metrics import BODY_REFUSALS

# MLServer 1.7.1's routes that take an InferenceRequest body (mlserver/rest/app.py:71-113)
INFERENCE_PATH = re.compile(r"/v2/models/[^/]+(?:/versions/[^/]+)?/(?:infer|generate)(?:_stream)?")


class BodyGuard:
    def __init__(self, app, limit: int = MAX_BODY_BYTES):
        self.app, self.limit = app, limit

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http" or scope["method"] != "POST" or not _inference(scope):
            return await self.app(scope, receive, send)
        declared, gzipped = None, False
        for name, value in scope["headers"]:
            if name == b"content-length":
                declared = value.decode("latin-1")
            elif name == b"content-encoding":
                gzipped = gzipped or value == b"gzip"  # what MLServer inflates: exactly "gzip"
        try:
            body = await read_body(receive, declared, self.limit)
            document = inflated(body, self.limit) if gzipped else body
        except Refused as exc:
            return await answer(send, exc.status, str(exc))
        except Disconnected:
            return
        if gzipped:
            scope = {**scope, "headers": _plain_headers(scope["headers"], len(document))}
        await self.app(scope, _replay(document, receive), _Rewrite(send, document))


def _inference(scope) -> bool:
    """Whether the request is for an inference route. The path is taken below MLServer's `root_path`
    (`mlserver/settings.py` `root_path`, given to uvicorn, which puts it in front of `path` as Starlette's
    routing expects)."""
    path, root = scope["path"], scope.get("root_path", "")
    return bool(INFERENCE_PATH.fullmatch(path[len(root) :] if root and path.startswith(root) else path))


def _plain_headers(headers, length: int) -> list:
    """The request's headers for its inflated body: no Content-Encoding, the inflated Content-Length."""
    kept = [(k, v) for k, v in headers if k not in (b"content-encoding", b"content-length")]
    return [*kept, (b"content-length", str(length).encode())]


def _replay(body: bytes, receive):
    """An ASGI `receive` that gives the body already read, then whatever the client sends next
    (a disconnect)."""
    pending = [{"type": "http.request", "body": body, "more_body": False}]

    async def replay():
        return pending.pop() if pending else await receive()

    return replay


class _Rewrite:
    """An ASGI `send` that passes every answer through but a 422, which it holds and answers with
    `guard.refusal` instead (the 422's body is FastAPI's `detail`, which may repeat the input)."""

    def __init__(self, send, document: bytes):
        self.send, self.document = send, document
        self.held: dict | None = None
        self.parts: list[bytes] = []

    async def __call__(self, message) -> None:
        if message["type"] == "http.response.start" and message["status"] == 422:
            self.held = message
        elif self.held is None:
            await self.send(message)
        elif message["type"] == "http.response.body":
            self.parts.append(message.get("body", b""))
            if not message.get("more_body", False):
                content = b"".join(self.parts)
                if (b"content-encoding", b"gzip") in self.held.get("headers", []):
                    content = gzip.decompress(content)  # MLServer's GZipMiddleware, for a client that asked
                await answer(self.send, *refusal(self.document, content))


@functools.cache
def refusals() -> prometheus_client.Counter:
    return prometheus_client.Counter(
        BODY_REFUSALS, "Inference bodies the body guard refused, by HTTP status", ["status"]
    )


async def answer(send, status: int, message: str) -> None:
    refusals().labels(status=str(status)).inc()
    body = error_body(message)
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
