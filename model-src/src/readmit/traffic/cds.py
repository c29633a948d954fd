"""The CDS Hooks 2.0 service on the router's port: GET /cds-services (discovery) and
POST /cds-services/readmission-risk (hook `encounter-discharge`).

Answers (cds-hooks/docs docs/specification/current.md "HTTP Status Codes"): 200 with one card; 200 with
no card and `extension.io.readmit.reason` when the stay cannot be scored; 412 when the required prefetch
is missing (this service never queries the EHR's FHIR server); 400 for a malformed request or FHIR;
503 when no model answers. Bodies of errors are `{"error": ...}`. Nothing from the request is logged:
log lines carry the outcome and reason codes only.

Scoring goes through the router's Upstream, so the Experiment's split (and mirror) applies as for any
other client; the card names the registered version that answered.
"""

from __future__ import annotations

import json
import logging

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from readmit.data.deid import load_key
from readmit.errors import InputError
from readmit.serving.v2 import request_body
from readmit.traffic import cards, prefetch, process
from readmit.traffic.experiment import NoRoute
from readmit.traffic.router import UNREACHABLE, SeldonMesh, Upstream

LOG = logging.getLogger("readmit.traffic.cds")
REASON_EXTENSION = "io.readmit.reason"


def _error(status: int, message: str) -> JSONResponse:
    LOG.info("cds answered %s", status)
    return JSONResponse({"error": message}, status)


def _no_card(reason: str) -> JSONResponse:
    LOG.info("cds answered 200 without a card (unscorable)")
    return JSONResponse({"cards": [], "extension": {REASON_EXTENSION: reason}})


def _context(body: prefetch.Hook) -> tuple[str, str]:
    if body.hook != cards.HOOK:
        raise InputError(f"not a CDS Hooks request for hook {cards.HOOK}")
    context = body.context
    ids = [context.get(k) if isinstance(context, dict) else None for k in ("patientId", "encounterId")]
    if not all(isinstance(i, str) and i for i in ids):
        raise InputError("context.patientId and context.encounterId are required strings")
    return ids[0], ids[1]


def routes(upstream: Upstream | SeldonMesh, seldon_model: str | None) -> list[Route]:
    """`seldon_model`: the header the scoring requests carry (`readmission.experiment`)."""
    key = load_key()  # the Secret's key, read once; the request never supplies it

    async def discovery(request: Request) -> JSONResponse:
        return JSONResponse(cards.discovery())

    async def hook(request: Request) -> JSONResponse:
        try:
            return await answer(request)
        except Exception as exc:  # noqa: BLE001 - the message or traceback could carry request values
            LOG.error("cds failed with %s", type(exc).__name__)
            return _error(500, "internal error; the request was not scored")

    async def answer(request: Request) -> JSONResponse:
        try:
            body = prefetch.read(await request.body())  # the prefetch itself is read lazily by stay
            patient_id, encounter_id = _context(body)
            found = prefetch.stay(body.prefetch, patient_id, encounter_id, key)
        except prefetch.MissingPrefetch as exc:
            return _error(412, str(exc))
        except prefetch.Unscorable as exc:
            return _no_card(str(exc))
        except (InputError, ValueError, TypeError, KeyError, AttributeError) as exc:
            message = (
                str(exc) if isinstance(exc, InputError) else "the request or its FHIR resources are malformed"
            )
            return _error(400, message)
        payload = json.dumps(request_body(found.index, {"explain": True})).encode()
        try:
            scored, target = await upstream.score(payload, seldon_model)
        except NoRoute as exc:
            return _error(503, str(exc))
        except UNREACHABLE as exc:
            return _error(503, f"model server unreachable ({type(exc).__name__}); retry")
        if scored.status_code != 200:
            reason = "the model's input checks rejected this stay"
            return _no_card(f"{reason} (HTTP {scored.status_code})")
        card = cards.scored_card(scored.json(), str(target.registered_version), target.served, found.missing)
        LOG.info("cds answered 200 with a %s card from %s", card["indicator"], target.served)
        return JSONResponse({"cards": [card]}, headers={"x-seldon-route": target.route})

    return [
        Route("/cds-services", discovery, methods=["GET"]),
        Route(f"/cds-services/{cards.SERVICE_ID}", hook, methods=["POST"]),
    ]


def app(seldon_url: str, seldon_model: str = "readmission.experiment") -> Starlette:
    """The service alone, in front of the cluster's Seldon inference endpoint (apps/cds-hooks)."""
    mesh = SeldonMesh(seldon_url, seldon_model)

    async def lifespan(app):
        yield
        await mesh.close()

    return Starlette(routes=routes(mesh, seldon_model), lifespan=lifespan)


def serve(seldon_url: str, host: str, port: int, echo) -> int:
    """`readmit cds`: the service alone, scoring through the Seldon inference endpoint, until Ctrl-C."""
    ready = f"CDS Hooks service at http://{host}:{port}/cds-services, scoring through {seldon_url}"
    process.run(app(seldon_url), host, port, echo, ready)
    return 0
