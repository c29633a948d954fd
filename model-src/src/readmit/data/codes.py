"""Code tables for the FHIR ingest: encounter classes, dispositions, labs, SNOMED -> ICD-10-CM.

Conditions keep their ICD-10-CM code when one is present. Synthea codes conditions in SNOMED
CT; the common clinical ones are mapped to ICD-10-CM below, every other SNOMED code is kept as
"sct:<code>" (so social "findings" such as employment status stay distinguishable from diagnoses).
"""

from __future__ import annotations

ICD10 = "http://hl7.org/fhir/sid/icd-10-cm"
SNOMED = "http://snomed.info/sct"
LOINC = "http://loinc.org"

CLASS = {
    "IMP": "inpatient",
    "ACUTE": "inpatient",
    "NONAC": "inpatient",
    "inpatient": "inpatient",
    "EMER": "emergency",
    "emergency": "emergency",
    "AMB": "outpatient",
    "HH": "outpatient",
    "VR": "outpatient",
    "outpatient": "outpatient",
    "ambulatory": "outpatient",
}
ACUITY = {"EM": "emergency", "UR": "urgent", "S": "urgent", "A": "urgent", "EL": "elective", "R": "elective"}
PLANNED_PRIORITY = frozenset({"EL", "R"})  # v3-ActPriority elective / routine = planned admission

# FHIR discharge-disposition codes and NUBC patient-discharge codes (as Synthea writes them).
DISPOSITION = {
    "home": "home",
    "alt-home": "home",
    "01": "home",
    "1": "home",
    "06": "home_health",
    "6": "home_health",
    "snf": "snf",
    "03": "snf",
    "3": "snf",
    "long": "snf",
    "rehab": "rehab",
    "62": "rehab",
    "other-hcf": "transfer",
    "02": "transfer",
    "05": "transfer",
    "psy": "transfer",
    "65": "transfer",
    "aadvice": "ama",
    "07": "ama",
    "oth": "other",
    "exp": "death",
    "20": "death",
    "40": "death",
    "41": "death",
    "42": "death",
    "hosp": "hospice",
    "50": "hospice",
    "51": "hospice",
}

RACE = {
    "2106-3": "white",
    "2054-5": "black",
    "2028-9": "asian",
    "1002-5": "other",
    "2076-8": "other",
    "2131-1": "other",
}
HISPANIC = "2135-2"

# LOINC -> canonical lab name; units are converted to schema.LAB_UNITS by UNIT_FACTORS.
LABS = {
    "2160-0": "creatinine",
    "38483-4": "creatinine",
    "14682-9": "creatinine",
    "4548-4": "hba1c",
    "17856-6": "hba1c",
    "59261-8": "hba1c",
    "2345-7": "glucose",
    "2339-0": "glucose",
    "14749-6": "glucose",
    "15074-8": "glucose",
    "2951-2": "sodium",
    "2947-0": "sodium",
    "2823-3": "potassium",
    "6298-4": "potassium",
    "718-7": "hemoglobin",
}
# (lab, unit as written) -> (scale, offset) into the canonical unit.
UNIT_FACTORS = {
    ("creatinine", "umol/L"): (1 / 88.42, 0.0),
    ("creatinine", "µmol/L"): (1 / 88.42, 0.0),
    ("glucose", "mmol/L"): (18.016, 0.0),
    ("hba1c", "mmol/mol"): (0.09148, 2.152),
    ("hemoglobin", "g/L"): (0.1, 0.0),
    ("sodium", "meq/L"): (1.0, 0.0),
    ("potassium", "meq/L"): (1.0, 0.0),
}

SNOMED_TO_ICD10 = {
    "44054006": "E11.9",
    "127013003": "E11.21",
    "368581000119106": "E11.42",
    "80394007": "R73.9",
    "15777000": "R73.03",
    "59621000": "I10",
    "55822004": "E78.5",
    "302870006": "E78.1",
    "414545008": "I25.9",
    "22298006": "I21.9",
    "88805009": "I50.9",
    "84114007": "I50.9",
    "49436004": "I48.91",
    "230690007": "I63.9",
    "431855005": "N18.1",
    "431856006": "N18.2",
    "433144002": "N18.30",
    "431857002": "N18.4",
    "46177005": "N18.6",
    "13645005": "J44.9",
    "233604007": "J18.9",
    "91302008": "A41.9",
    "271737000": "D64.9",
    "162864005": "E66.9",
    "195662009": "J02.9",
    "444814009": "J01.90",
    "10509002": "J20.9",
    "840539006": "U07.1",
    "301011002": "N39.0",
    "197927001": "N39.0",
    "254637007": "C34.90",
    "424132000": "C34.90",
    "233678006": "J45.909",
    "195967001": "J45.909",
    "40055000": "J32.9",
    "72892002": "Z34.90",
}
