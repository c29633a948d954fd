"""Run one ASGI app as this process's server on uvicorn until Ctrl-C or SIGTERM (`readmit serve --env`,
`readmit cds`). Light on purpose: `readmit cds` (the CDS pod) imports only this and readmit.traffic.cds,
not the export and rendering code of `readmit serve` (torch, MLflow: 4 s CPU and 330k objects at start)."""

from __future__ import annotations

import gc
from collections.abc import Callable

import uvicorn


def _freeze() -> None:
    """Everything made so far lives as long as the server, so it is frozen out of the collector:
    otherwise a request that allocates much (a large prefetch) sets off full collections that rescan
    every imported object (measured: decoding a 2.7 MB request in a process of 400k objects cost 105 ms
    CPU, 35 ms once they were frozen)."""
    gc.collect()
    gc.freeze()


def run(app, host: str, port: int, echo: Callable[[str], object], ready: str) -> None:
    """Serve `app` on host:port; `ready` is echoed once startup objects are frozen (it takes a moment)."""
    config = uvicorn.Config(app, host=host, port=port, log_level="warning", access_log=False)
    _freeze()
    echo(ready)
    try:
        uvicorn.Server(config).run()  # handles SIGINT/SIGTERM itself, then re-raises the signal
    except KeyboardInterrupt:
        pass
