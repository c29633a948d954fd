"""The one error the runtime raises for a bad request: an MLServerError (so MLServer answers
`{"error": "<message>"}` with its status code) that also carries a short reason code for the
inference log and the rejection metric.

Messages name the field and the row but never echo a value: a value may be PHI sent by mistake.

Worker mode (`parallel_workers > 0`): the worker wraps any exception into `WorkerError`
(mlserver/parallel/worker.py), which keeps `status_code` when the wrapped exception is an MLServerError
(mlserver/parallel/errors.py) and crosses the process boundary by pickling. Pickling an exception
re-calls its class with `args` and then restores `__dict__`, so this class takes its message as the
only positional argument and keeps everything else in attributes (tests/serving prove both modes).
In worker mode MLServer prefixes the message with the class path (`readmit.serving.errors.Rejected: `).
"""

from __future__ import annotations

from mlserver.errors import MLServerError


class Rejected(MLServerError):
    def __init__(self, msg: str, status_code: int = 400, reason: str = "bad_request"):
        super().__init__(msg, status_code)
        self.reason = reason
