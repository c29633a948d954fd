"""The guard for V2 inference bodies, shared by MLServer's own app (readmit.serving.guard_middleware, run by
the `readmit-mlserver` launcher) and the router (readmit.traffic.router): a size limit before anything is
read into memory, and MLServer's 422 answer rewritten, so every refusal is `{"error": ...}` that names the
problem and never echoes what was sent (it may hold PHI).

The body is not parsed on the way in: MLServer parses it anyway (with orjson, `mlserver/rest/requests.py`,
so it accepts exactly what orjson accepts) and answers 422 to anything that is not JSON or not an
InferenceRequest. Only then does `refusal` parse it, to tell the two apart: not a JSON object -> 400 with
the byte position, JSON but not a V2 request -> 422 with the field names. A valid request costs no parse.

Why not in the runtime: MLServer 1.7.1 parses the body in FastAPI before any model code runs, and gives
no hook for that step. `mlserver/rest/app.py:181-188` builds the FastAPI app with
`exception_handlers=_EXCEPTION_HANDLERS`, which `mlserver/rest/errors.py:18` fixes to MLServerError only;
`Settings` (`mlserver/settings.py`) has no handler or middleware option, and `@custom_handler` routes are
appended after the built-in `/infer` route (`mlserver/rest/server.py:35-44`), so they cannot replace it.
Left alone, MLServer answers syntax errors 422 `json_invalid` with `"input": {}` (no echo), a body that is
JSON but not an InferenceRequest 422 whose `detail` carries the offending value
(`fastapi/exception_handlers.py`, `request_validation_exception_handler`), and applies no size limit.

The limit: `READMIT_MAX_BODY_BYTES` (bytes of the body as sent, and again of a gzip body once inflated,
since `mlserver/rest/requests.py` inflates `Content-Encoding: gzip` bodies whole), 16 MiB by default.
"""

from __future__ import annotations

import os
import zlib

import orjson

from readmit.errors import InputError

# Four times the runtime's default data limit (readmit.serving.contract.RuntimeConfig.max_request_bytes):
# the JSON text of any request within that limit fits, and the runtime still answers its own 413.
MAX_BODY_BYTES = 16 * 1024 * 1024
LIMIT_ENV = "READMIT_MAX_BODY_BYTES"
# Field names of a V2 inference request; any other part of FastAPI's error location (a parameter name,
# a value) is something the client sent and is not repeated.
_V2_FIELDS = frozenset(
    {"body", "id", "parameters", "inputs", "outputs", "name", "shape", "datatype", "data", "root"}
)


class Refused(Exception):
    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status


class Disconnected(Exception):
    """The client went away before its body was read whole: there is no one to answer."""


def body_limit(environ=os.environ) -> int:
    """The configured body limit in bytes (`READMIT_MAX_BODY_BYTES`, else MAX_BODY_BYTES)."""
    value = environ.get(LIMIT_ENV, "").strip()
    if not value:
        return MAX_BODY_BYTES
    if not value.isdigit() or int(value) < 1:
        raise InputError(f"{LIMIT_ENV}: expected a positive number of bytes; unset it for {MAX_BODY_BYTES}")
    return int(value)


async def read_body(receive, declared: str | None, limit: int = MAX_BODY_BYTES) -> bytes:
    """The body from an ASGI `receive`, refused (413) as soon as it is known to exceed `limit`;
    `declared`: the request's Content-Length header, if any."""
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise Refused(
            413, f"request body of {int(declared)} bytes exceeds the limit of {limit}; split the batch"
        )
    chunks, size = [], 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            raise Disconnected
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            raise Refused(413, f"request body exceeds the limit of {limit} bytes; split the batch")
        chunks.append(chunk)
        if not message.get("more_body", False):
            return chunks[0] if len(chunks) == 1 else b"".join(chunks)


def inflated(body: bytes, limit: int) -> bytes:
    """A gzip body inflated, refused (413) as soon as it inflates past `limit` and (400) when it is not
    gzip: MLServer would inflate it whole, whatever its size."""
    inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
    try:
        out = inflater.decompress(body, limit + 1)
    except zlib.error:
        raise Refused(400, "Content-Encoding is gzip but the body is not gzip data") from None
    if len(out) > limit or inflater.unconsumed_tail:
        raise Refused(413, f"request body inflates past the limit of {limit} bytes; split the batch")
    if not inflater.eof:
        raise Refused(400, "Content-Encoding is gzip but the body is not complete gzip data")
    return out


def error_body(message: str) -> bytes:
    """`{"error": message}`: MLServer's error body (`mlserver/rest/errors.py`), as JSON bytes."""
    return orjson.dumps({"error": message})


def refusal(
    body: bytes, answer: bytes, gzipped: bool = False, limit: int = MAX_BODY_BYTES
) -> tuple[int, str]:
    """(status, message) for a body answered 422 (`answer`): 400 when it is not a JSON object, else 422
    naming the fields that do not follow the V2 schema (an answer already `{"error": ...}` is kept).
    `gzipped`: the body as sent with `Content-Encoding: gzip`, read inflated (`inflated`, under `limit`)."""
    try:
        check_json(inflated(body, limit) if gzipped else body)
    except Refused as exc:
        return exc.status, str(exc)
    return 422, schema_error(answer)


def check_json(body: bytes) -> None:
    try:
        document = orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        # the position only: the decoder's message may quote the text around it
        raise Refused(400, f"malformed JSON at byte {exc.pos}; send a V2 inference request") from None
    if not isinstance(document, dict):
        raise Refused(400, "the body must be a JSON object (a V2 inference request)")


def schema_error(content: bytes) -> str:
    """FastAPI's 422 `detail` as one line of field names, list positions and error types, no values; an
    answer in the error contract already (`{"error": "..."}`, the guard's own) as it is."""
    try:
        answer = orjson.loads(content)
        if isinstance(answer, dict) and set(answer) == {"error"} and isinstance(answer["error"], str):
            return answer["error"]
        errors = answer["detail"]
        first = errors[0]
        where = ".".join(
            str(p) if isinstance(p, int) or p in _V2_FIELDS else "…" for p in first.get("loc", [])[1:]
        )
        kind = str(first.get("type", "invalid"))
    except (orjson.JSONDecodeError, KeyError, IndexError, TypeError, AttributeError):
        return "the request does not follow the V2 inference request schema"
    kind = kind if kind.replace("_", "").isalnum() else "invalid"
    more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
    return f"the request does not follow the V2 inference request schema: {where or 'body'}: {kind}{more}"
