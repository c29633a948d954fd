"""`readmit-mlserver`: MLServer's own CLI (`mlserver.cli.main`), unchanged, with readmit's body guard
(readmit.serving.guard_middleware) on the REST app it serves. The Seldon Server pod runs it as its
command (apps/readmission/server.yaml), `readmit serve`, the tests and the benchmarks through
`readmit.serving.server.start`; arguments are MLServer's (`readmit-mlserver start <models dir>`).

It relies on one private name of MLServer 1.7.1: `mlserver/rest/server.py:9` imports `create_app` into
that module and `RESTServer.__init__` (`mlserver/rest/server.py:29`) calls it by that name, then adds the
models' custom routes to the app it returned (`:38`). `install` wraps that name: the original builds the
app, then `add_middleware` (Starlette's public API) puts the guard outermost on the very same object. The
REST server lives in the main process in both worker modes (`mlserver/server.py:103`, `_create_servers`;
workers only run models, `mlserver/parallel/`), so one wrap covers both. If MLServer moves the name,
`install` stops the start with one line, and tests/serving/test_launch.py fails.
"""

from __future__ import annotations

import functools
import sys

from mlserver.cli import main as mlserver_main
from mlserver.rest import server as rest_server

from readmit.errors import InputError
from readmit.serving.guard import body_limit
from readmit.serving.guard_middleware import BodyGuard

PROG = "readmit-mlserver"


def guarded(create_app, limit: int):
    @functools.wraps(create_app)
    def create_guarded_app(*args, **kwargs):
        app = create_app(*args, **kwargs)
        app.add_middleware(BodyGuard, limit=limit)
        return app

    create_guarded_app.readmit_guard_limit = limit
    return create_guarded_app


def install(limit: int) -> None:
    """Wrap `mlserver.rest.server.create_app` so every REST app MLServer builds carries the guard."""
    original = getattr(rest_server, "create_app", None)
    if not callable(original):
        raise InputError(
            "mlserver.rest.server.create_app is gone (MLServer 1.7.1 layout expected): the body guard "
            "cannot be installed; pin mlserver as model-src/constraints.txt does"
        )
    original = getattr(original, "__wrapped__", original)  # installed twice: wrap the original once
    rest_server.create_app = guarded(original, limit)


def main() -> None:
    try:
        install(body_limit())
    except InputError as exc:
        print(f"{PROG}: error: {exc}", file=sys.stderr)
        sys.exit(InputError.exit_code)
    mlserver_main()


if __name__ == "__main__":
    main()
