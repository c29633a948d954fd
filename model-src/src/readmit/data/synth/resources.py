"""FHIR R4 resource dicts for the simulated patients, stays and visits (plain dicts: fast)."""

from __future__ import annotations

from readmit.data.codes import ICD10, LOINC, SNOMED

RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm"
ACT = "http://terminology.hl7.org/CodeSystem/v3-ActCode"
PRIORITY = "http://terminology.hl7.org/CodeSystem/v3-ActPriority"
DISPOSITION = "http://terminology.hl7.org/CodeSystem/discharge-disposition"
V2_0203 = "http://terminology.hl7.org/CodeSystem/v2-0203"
US_CORE = "http://hl7.org/fhir/us/core/StructureDefinition/"
LAB = {
    "creatinine": ("2160-0", "Creatinine [Mass/volume] in Serum or Plasma", "mg/dL"),
    "creatinine_umol": ("14682-9", "Creatinine [Moles/volume] in Serum or Plasma", "umol/L"),
    "hba1c": ("4548-4", "Hemoglobin A1c/Hemoglobin.total in Blood", "%"),
    "glucose": ("2345-7", "Glucose [Mass/volume] in Serum or Plasma", "mg/dL"),
    "sodium": ("2951-2", "Sodium [Moles/volume] in Serum or Plasma", "mmol/L"),
    "potassium": ("2823-3", "Potassium [Moles/volume] in Serum or Plasma", "mmol/L"),
    "hemoglobin": ("718-7", "Hemoglobin [Mass/volume] in Blood", "g/dL"),
}
RACE_TEXT = {
    "2106-3": "White",
    "2054-5": "Black or African American",
    "2028-9": "Asian",
    "2131-1": "Other Race",
}


def _concept(system: str, code: str, display: str | None = None) -> dict:
    coding = {"system": system, "code": code}
    if display:
        coding["display"] = display
    return {"coding": [coding], "text": display or code}


def _identifier(code: str, text: str, system: str, value: str) -> dict:
    return {
        "type": {"coding": [{"system": V2_0203, "code": code, "display": text}], "text": text},
        "system": system,
        "value": value,
    }


def patient(
    pid: str, phi: dict, i: int, female: bool, birth: str, race: str, hispanic: bool, deceased: str | None
) -> dict:
    race_ext = {
        "url": US_CORE + "us-core-race",
        "extension": [
            {
                "url": "ombCategory",
                "valueCoding": {
                    "system": "urn:oid:2.16.840.1.113883.6.238",
                    "code": race,
                    "display": RACE_TEXT[race],
                },
            },
            {"url": "text", "valueString": RACE_TEXT[race]},
        ],
    }
    eth_code, eth_text = (
        ("2135-2", "Hispanic or Latino") if hispanic else ("2186-5", "Not Hispanic or Latino")
    )
    eth_ext = {
        "url": US_CORE + "us-core-ethnicity",
        "extension": [
            {
                "url": "ombCategory",
                "valueCoding": {
                    "system": "urn:oid:2.16.840.1.113883.6.238",
                    "code": eth_code,
                    "display": eth_text,
                },
            },
            {"url": "text", "valueString": eth_text},
        ],
    }
    resource = {
        "resourceType": "Patient",
        "id": pid,
        "meta": {"profile": [US_CORE + "us-core-patient"]},
        "extension": [race_ext, eth_ext],
        "identifier": [
            _identifier("MR", "Medical Record Number", "http://hospital.example.org/mrn", phi["mrn"][i]),
            _identifier("SS", "Social Security Number", "http://hl7.org/fhir/sid/us-ssn", phi["ssn"][i]),
            _identifier(
                "DL", "Driver's license number", "urn:oid:2.16.840.1.113883.4.3.25", phi["licence"][i]
            ),
            _identifier(
                "PPN",
                "Passport Number",
                "http://standardhealthrecord.org/fhir/StructureDefinition/passportNumber",
                phi["passport"][i],
            ),
        ],
        "name": [{"use": "official", "family": phi["family"][i], "given": [phi["given"][i]]}],
        "telecom": [
            {"system": "phone", "value": phi["phone"][i], "use": "home"},
            {"system": "email", "value": phi["email"][i]},
        ],
        "gender": "female" if female else "male",
        "birthDate": birth,
        "address": [
            {
                "line": [phi["line"][i]],
                "city": phi["city"][i],
                "state": phi["state"][i],
                "postalCode": phi["zip"][i],
                "country": "US",
            }
        ],
    }
    if deceased:
        resource["deceasedDateTime"] = deceased
    return resource


def encounter(
    eid: str,
    pid: str,
    cls: str,
    start: str,
    end: str | None,
    priority: str | None = None,
    disposition: str | None = None,
    reason: str | None = None,
) -> dict:
    resource = {
        "resourceType": "Encounter",
        "id": eid,
        "status": "finished" if end else "in-progress",
        "class": {"system": ACT, "code": cls},
        "type": [
            _concept(
                SNOMED,
                *{
                    "IMP": ("32485007", "Hospital admission"),
                    "EMER": ("50849002", "Emergency room admission"),
                    "AMB": ("185349003", "Encounter for check up"),
                }[cls],
            )
        ],
        "subject": {"reference": f"Patient/{pid}"},
        "period": {"start": start, **({"end": end} if end else {})},
    }
    if priority:
        resource["priority"] = _concept(PRIORITY, priority)
    if disposition:
        resource["hospitalization"] = {"dischargeDisposition": _concept(DISPOSITION, disposition)}
    if reason:
        resource["reasonCode"] = [_concept(ICD10, reason)]
    return resource


def condition(cid: str, pid: str, eid: str, code: str, onset: str) -> dict:
    return {
        "resourceType": "Condition",
        "id": cid,
        "clinicalStatus": _concept("http://terminology.hl7.org/CodeSystem/condition-clinical", "active"),
        "verificationStatus": _concept(
            "http://terminology.hl7.org/CodeSystem/condition-ver-status", "confirmed"
        ),
        "category": [
            _concept(
                "http://terminology.hl7.org/CodeSystem/condition-category",
                "encounter-diagnosis",
                "Encounter Diagnosis",
            )
        ],
        "code": _concept(ICD10, code),
        "subject": {"reference": f"Patient/{pid}"},
        "encounter": {"reference": f"Encounter/{eid}"},
        "onsetDateTime": onset,
        "recordedDate": onset,
    }


def medication(mid: str, pid: str, eid: str, code: str, display: str, authored: str) -> dict:
    return {
        "resourceType": "MedicationRequest",
        "id": mid,
        "status": "active",
        "intent": "order",
        "medicationCodeableConcept": _concept(RXNORM, code, display),
        "subject": {"reference": f"Patient/{pid}"},
        "encounter": {"reference": f"Encounter/{eid}"},
        "authoredOn": authored,
    }


def observation(oid: str, pid: str, eid: str, lab: str, value: float, when: str) -> dict:
    code, display, unit = LAB[lab]
    return {
        "resourceType": "Observation",
        "id": oid,
        "status": "final",
        "category": [
            _concept("http://terminology.hl7.org/CodeSystem/observation-category", "laboratory", "Laboratory")
        ],
        "code": _concept(LOINC, code, display),
        "subject": {"reference": f"Patient/{pid}"},
        "encounter": {"reference": f"Encounter/{eid}"},
        "effectiveDateTime": when,
        "valueQuantity": {
            "value": round(float(value), 2),
            "unit": unit,
            "system": "http://unitsofmeasure.org",
            "code": unit,
        },
    }


def procedure(prid: str, pid: str, eid: str, code: str, display: str, when: str) -> dict:
    return {
        "resourceType": "Procedure",
        "id": prid,
        "status": "completed",
        "code": _concept(SNOMED, code, display),
        "subject": {"reference": f"Patient/{pid}"},
        "encounter": {"reference": f"Encounter/{eid}"},
        "performedDateTime": when,
    }
