"""`readmit-mlserver`: MLServer's own CLI (`mlserver.cli.main`), unchanged, with readmit's body guard
(readmit.serving.guard_middleware) on the REST app it serves and the same limit on what its gRPC server
receives. The Seldon Server pod runs it as its
command (apps/readmission/server.yaml), `readmit serve`, the tests and the benchmarks through
`readmit.serving.server.start`; arguments are MLServer's (`readmit-mlserver start <models dir>`).

It relies on one private name of MLServer 1.7.1: `mlserver/rest/server.py:9` imports `create_app` into
that module and `RESTServer.__init__` (`mlserver/rest/server.py:29`) calls it by that name, then adds the
models' custom routes to the app it returned (`:38`). `install` wraps that name: the original builds the
app, then `add_middleware` (Starlette's public API) puts the guard outermost on the very same object. The
REST server lives in the main process in both worker modes (`mlserver/server.py:103`, `_create_servers`;
workers only run models, `mlserver/parallel/`), so one wrap covers both. If MLServer moves the name,
`install` stops the start with one line, and tests/serving/test_launch.py fails.

gRPC: Seldon's ServerConfig sets MLSERVER_GRPC_MAX_MESSAGE_LENGTH to 1048576000 (1000 MiB, although its
comment says 100MB), and MLServer gives that value to gRPC as both the send and the receive limit
(`GRPCServer._get_options`, `mlserver/grpc/server.py:90-108`). A gRPC message is decoded whole before any
model code runs, so the receive limit is the only guard there. `install` wraps `_get_options` too: the
receive limit becomes the body limit (or the configured one, if smaller); the send limit stays MLServer's,
since an answer with explanations may be longer than its request. gRPC refuses a longer message itself with
RESOURCE_EXHAUSTED before decoding it (the 413 of gRPC); the body of a gRPC request is protobuf, typed by the
V2 service, so the REST guard's 400/422 have no gRPC counterpart to add. The runtime's own 413 (too many
stays, too much data) would reach a gRPC client as UNKNOWN: MLServer maps an MLServerError's status through
`mlserver/grpc/utils.py` `STATUS_CODE_MAPPING` (400, 404, 422 and 500 only), so `install` adds 413 ->
RESOURCE_EXHAUSTED there.
"""

from __future__ import annotations

import functools
import sys

import grpc
from mlserver.cli import main as mlserver_main
from mlserver.grpc import server as grpc_server
from mlserver.grpc import utils as grpc_utils
from mlserver.rest import server as rest_server

from readmit.errors import InputError
from readmit.serving.guard import body_limit
from readmit.serving.guard_middleware import BodyGuard

PROG = "readmit-mlserver"
# gRPC core's receive-limit argument; MLServer also sets "grpc.max_message_length", which names the same
# limit in gRPC's C API (GRPC_ARG_MAX_MESSAGE_LENGTH is defined as GRPC_ARG_MAX_RECEIVE_MESSAGE_LENGTH)
RECEIVE_OPTIONS = ("grpc.max_receive_message_length", "grpc.max_message_length")


def guarded(create_app, limit: int):
    @functools.wraps(create_app)
    def create_guarded_app(*args, **kwargs):
        app = create_app(*args, **kwargs)
        app.add_middleware(BodyGuard, limit=limit)
        return app

    create_guarded_app.readmit_guard_limit = limit
    return create_guarded_app


def receive_capped(get_options, limit: int):
    @functools.wraps(get_options)
    def capped_options(self):
        options = dict(get_options(self))
        configured = [v for k, v in options.items() if k in RECEIVE_OPTIONS and v is not None and v >= 0]
        for key in RECEIVE_OPTIONS:
            options[key] = min([limit, *configured])
        return list(options.items())

    capped_options.readmit_guard_limit = limit
    return capped_options


def _gone(where: str, what: str) -> InputError:
    return InputError(
        f"{where} is gone (MLServer 1.7.1 layout expected): {what} cannot be installed; pin mlserver as "
        "model-src/constraints.txt does"
    )


def _original(owner, name: str, what: str):
    found = getattr(owner, name, None)
    if not callable(found):
        raise _gone(f"{owner.__name__}.{name}", what)
    return getattr(found, "__wrapped__", found)  # installed twice: wrap the original once


def install(limit: int) -> None:
    """Wrap `mlserver.rest.server.create_app` so every REST app MLServer builds carries the guard, and
    `GRPCServer._get_options` so its gRPC server receives no message over `limit`; map a 413 to gRPC's
    RESOURCE_EXHAUSTED. Every name is checked before anything is changed."""
    create_app = _original(rest_server, "create_app", "the body guard")
    get_options = _original(grpc_server.GRPCServer, "_get_options", "the gRPC receive limit")
    codes = getattr(grpc_utils, "STATUS_CODE_MAPPING", None)
    if not isinstance(codes, dict):
        raise _gone("mlserver.grpc.utils.STATUS_CODE_MAPPING", "the gRPC code of a 413")
    rest_server.create_app = guarded(create_app, limit)
    grpc_server.GRPCServer._get_options = receive_capped(get_options, limit)
    codes[413] = grpc.StatusCode.RESOURCE_EXHAUSTED


def main() -> None:
    try:
        install(body_limit())
    except InputError as exc:
        print(f"{PROG}: error: {exc}", file=sys.stderr)
        sys.exit(InputError.exit_code)
    mlserver_main()


if __name__ == "__main__":
    main()
