"""The training-set contract between ingest (writer) and features, training and serving (readers).

`readmit data ingest` writes a directory holding:
  index.parquet    one row per inpatient stay eligible as an index encounter (INDEX_COLUMNS)
  history.parquet  every de-identified encounter of the cohort, per patient in time order (HISTORY_COLUMNS)
  manifest.json    provenance, counts, exclusions, prevalence, schema, k-anonymity, `data_version`

Conventions (both sources):
- No calendar date: every `*_day` is days (float) since the patient's first encounter in the
  source. UCI has no dates, so its `*_day` values are NaN and `encounter_seq` gives the order.
- History window (FHIR, `readmit.data.window`): an index row holds only the encounters of the year
  before its admission (begun before it, ended or begun at most 365 days before it), because that is all
  the CDS Hooks service keeps of a prefetch when it scores a stay; its `encounter_seq` and its items'
  `encounter_seq` count within that window. UCI (no dates) holds every earlier encounter. The history
  table keeps every encounter, numbered in the patient's whole record.
- Identifiers are keyed pseudonyms (HMAC-SHA256, hex) only: `patient_key`, `encounter_key`.
- List- and map-valued fields are JSON text (portable through Parquet, pandas, MLflow pyfunc and
  MLServer's pandas codec):
    dx_codes, med_codes, proc_codes: JSON list of code strings, primary diagnosis first
          (FHIR: ICD-10-CM, or "sct:<code>" for SNOMED CT conditions without an ICD-10 mapping).
    labs: JSON object {lab_name: [[day, value], ...]} in canonical units (LAB_UNITS); for UCI,
          the categorical results are mapped to representative values and the day is null
          (JSON has no NaN; likewise every unknown day in `history` items is null).
    history: JSON list of the patient's encounters (of the history window) that ended before this
          index admission, in time order, each {"encounter_seq", "encounter_class", "admit_day",
          "discharge_day", "los_days", "dx_codes", "med_codes", "proc_codes", "labs"} (lists/maps as
          real JSON values here, not nested strings). Items of undated sources (UCI) also carry that
          encounter's own record of the year before it, HISTORY_PRIOR_COUNTS (dated items let features
          count it).
- An index row is self-contained: the history rides along, so a served model scores one row.
"""

from __future__ import annotations

INDEX_FILE = "index.parquet"
HISTORY_FILE = "history.parquet"
MANIFEST_FILE = "manifest.json"

LABEL = "label"  # 1 = unplanned inpatient readmission within 30 days of discharge

# column -> pandas dtype family ("str", "int", "float", "json")
INDEX_COLUMNS: dict[str, str] = {
    "patient_key": "str",
    "encounter_key": "str",
    "source": "str",  # "fhir" | "uci"
    "encounter_seq": "int",  # 0-based order among the patient's encounters (FHIR: of the history window)
    "admit_day": "float",
    "discharge_day": "float",
    "los_days": "float",  # >= 0
    "age": "int",  # 0..90; Safe Harbor: >89 is 90
    "age_band": "str",  # FHIR "0-17","18-29","30-39",...,"80-89","90+"; UCI keeps its 10-year brackets
    # ("0-9",...,"80-89","90+"); k-anonymity may widen a band ("0-39","40-59","60-79","80+") or set "any"
    "sex": "str",  # "female" | "male" | "unknown"
    "race": "str",  # "white","black","asian","hispanic","other","unknown"
    "zip3": "str",  # 3 digits, or "000" when unknown or suppressed
    "admission_acuity": "str",  # "emergency" | "urgent" | "elective" | "unknown"
    "discharge_disposition": "str",  # "home","home_health","snf","rehab","transfer","ama","other","unknown"
    "dx_system": "str",  # "icd10" | "icd9"
    "dx_codes": "json",
    "med_codes": "json",
    "proc_codes": "json",
    "n_lab_procedures": "int",
    "n_procedures": "int",
    "n_medications": "int",
    "prior_inpatient_365d": "int",
    "prior_emergency_365d": "int",
    "prior_outpatient_365d": "int",
    "labs": "json",
    "extra": "json",  # source-specific, non-identifying attributes (e.g. UCI's A1Cresult, payer_code)
    "history": "json",
    LABEL: "int",
}

# optional history-item keys: the visit counts an encounter's own record holds of the year before it
HISTORY_PRIOR_COUNTS = ("prior_inpatient_365d", "prior_emergency_365d", "prior_outpatient_365d")

HISTORY_COLUMNS: dict[str, str] = {
    "patient_key": "str",
    "encounter_key": "str",
    "encounter_seq": "int",
    "encounter_class": "str",  # "inpatient" | "emergency" | "outpatient" | "other"
    "admit_day": "float",
    "discharge_day": "float",
    "los_days": "float",
    "dx_codes": "json",
    "med_codes": "json",
    "proc_codes": "json",
    "labs": "json",
}

# Canonical lab names and units; ingest converts to these (e.g. creatinine umol/L -> mg/dL).
LAB_UNITS = {
    "creatinine": "mg/dL",
    "hba1c": "%",
    "glucose": "mg/dL",
    "sodium": "mmol/L",
    "potassium": "mmol/L",
    "hemoglobin": "g/dL",
}

QUASI_IDENTIFIERS = ("age_band", "sex", "race", "zip3")
