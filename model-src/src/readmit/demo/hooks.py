"""An EHR's `encounter-discharge` CDS Hooks request for one stay of a FHIR Bulk Data export, with the
prefetch the service's discovery asks for (readmit.traffic.cards.PREFETCH). The request holds the
export's (fake) identifiers and is sent, never printed."""

from __future__ import annotations

from pathlib import Path

from readmit.data.ndjson import export_files, read_resources
from readmit.traffic.cards import HOOK
from readmit.traffic.prefetch import KEYS


def _resources(export: Path, kind: str) -> list[dict]:
    return [r for path in export_files(export).get(kind, []) for _, r in read_resources(path, kind)]


def _subject(resource: dict) -> str:
    ref = (resource.get("subject") or resource.get("patient") or {}).get("reference", "")
    return ref.rsplit("/", 1)[-1].removeprefix("urn:uuid:")


def _bundle(resources: list[dict]) -> dict:
    return {"resourceType": "Bundle", "type": "searchset", "entry": [{"resource": r} for r in resources]}


def discharge_request(export: Path) -> dict | None:
    """The request for the latest inpatient stay of the first patient with an earlier stay (a history to
    explain), else of any inpatient; None when the export has no inpatient stay."""
    encounters = _resources(export, "Encounter")
    by_patient: dict[str, list[dict]] = {}
    for enc in encounters:
        by_patient.setdefault(_subject(enc), []).append(enc)
    inpatient = [e for e in encounters if (e.get("class") or {}).get("code") == "IMP"]
    if not inpatient:
        return None
    chosen = next((e for e in reversed(inpatient) if len(by_patient[_subject(e)]) > 1), inpatient[-1])
    pid = _subject(chosen)
    patient = next(p for p in _resources(export, "Patient") if p.get("id") == pid)
    prefetch = {"patient": patient, "encounter": chosen, "encounters": _bundle(by_patient[pid])}
    for key, kind in KEYS.items():
        if key not in prefetch:
            prefetch[key] = _bundle([r for r in _resources(export, kind) if _subject(r) == pid])
    return {
        "hookInstance": f"readmit-demo-{chosen['id']}",
        "hook": HOOK,
        "context": {"userId": "Practitioner/demo", "patientId": pid, "encounterId": chosen["id"]},
        "prefetch": prefetch,
    }
