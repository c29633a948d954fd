"""CDS Hooks 2.0 discovery document and cards (cds-hooks/docs, docs/specification/current.md: "Discovery",
"Prefetch Template", "Card Attributes", "Source"; hook: docs/hooks/encounter-discharge.md). Pure.

Prefetch tokens may only name context fields (`{{context.patientId}}`): CDS Hooks 2.0 has no relative
date token, so "the last year" cannot be written into a template; the service keeps the encounters of
the year before the admission itself (readmit.data.window, the rule FHIR ingest builds training rows with).
Procedures are prefetched too: training rows hold them (`proc_codes`, `n_procedures`), so a served row must.
"""

from __future__ import annotations

import json
import os
import uuid

SERVICE_ID = "readmission-risk"
HOOK = "encounter-discharge"
INDICATOR = {"low": "info", "medium": "warning", "high": "critical"}
CARD_URL_ENV = "READMIT_MODEL_CARD_URL"
DEFAULT_CARD_URL = "http://mlflow.readmission.svc:5000/#/models/readmission/versions/{version}"
PREFETCH = {
    "patient": "Patient/{{context.patientId}}",
    "encounter": "Encounter/{{context.encounterId}}",
    "encounters": "Encounter?patient={{context.patientId}}&_sort=-date&_count=200",
    "conditions": "Condition?patient={{context.patientId}}",
    "medications": "MedicationRequest?patient={{context.patientId}}",
    "procedures": "Procedure?patient={{context.patientId}}",
    "observations": "Observation?patient={{context.patientId}}&category=laboratory",
}
NOT_KNOWN = (
    "social circumstances (who is at home, housing, transport) and the discharge plan",
    "notes, vital signs, and anything recorded outside this health system",
    "encounters that ended more than one year before this admission",
)


def discovery() -> dict:
    return {
        "services": [
            {
                "hook": HOOK,
                "id": SERVICE_ID,
                "title": "30-day readmission risk",
                "description": (
                    "Risk of an unplanned inpatient readmission within 30 days of this discharge, with the "
                    "factors behind it (calibrated model; see the model card in each card's source)."
                ),
                "prefetch": dict(PREFETCH),
                "usageRequirements": (
                    "Prefetch patient and encounter (required); the service does not query the FHIR server."
                ),
            }
        ]
    }


def _factors(explanation: dict, n: int = 3) -> list[str]:
    lines = []
    for term in explanation.get("contributions", []):
        if term["feature"] == "other_features" or len(lines) == n:
            continue
        direction = "raises" if term["contribution"] > 0 else "lowers"
        lines.append(f"- {term['label']} {direction} the risk")
    return lines


def card(risk: float, band: str, explanation: dict | None, version: str, served: str, missing) -> dict:
    """One card for one scored stay; `version` is the registered model version that answered."""
    url = os.environ.get(CARD_URL_ENV, DEFAULT_CARD_URL).format(version=version)
    unknown = list(NOT_KNOWN) + [f"the {key} the EHR did not send" for key in missing]
    detail = [
        f"Estimated risk of an unplanned readmission within 30 days: **{risk:.0%}** ({band} band).",
        "",
        "**Top factors for this patient**",
        *(_factors(explanation) if explanation else ["- not available"]),
        "",
        "**What the model does not know**",
        *[f"- {item}" for item in unknown],
        "",
        f"Model version {version} ({served}). Decision support only: it does not replace clinical judgement.",
    ]
    return {
        "uuid": str(uuid.uuid4()),
        "summary": f"30-day readmission risk: {band} ({risk:.0%})",
        "indicator": INDICATOR[band],
        "detail": "\n".join(detail),
        "source": {
            "label": f"Readmission risk model v{version}",
            "url": url,
            "topic": {
                "system": "http://readmit.io/cds-topics",
                "code": "readmission-risk",
                "display": "Readmission risk",
            },
        },
    }


def scored_card(answer: dict, version: str, served: str, missing) -> dict:
    """The card of a V2 inference answer for one stay."""
    outputs = {o["name"]: o["data"] for o in answer["outputs"]}
    explanation = json.loads(outputs["explanation"][0]) if "explanation" in outputs else None
    return card(
        float(outputs["readmission_risk"][0]), outputs["risk_band"][0], explanation, version, served, missing
    )
