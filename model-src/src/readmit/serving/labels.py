"""Readable names for the feature columns of readmit.features.build (explanations shown to clinicians)."""

from __future__ import annotations

import re

_EXACT = {
    "age": "age (years)",
    "los_days": "length of stay (days)",
    "n_lab_procedures": "number of lab tests this stay",
    "n_procedures": "number of procedures this stay",
    "n_medications": "number of medications this stay",
    "prior_inpatient_365d": "inpatient stays in the prior year",
    "prior_emergency_365d": "emergency visits in the prior year",
    "prior_outpatient_365d": "outpatient visits in the prior year",
    # a FHIR row's history is the year before the admission (readmit.data.window), all a served row holds;
    # UCI rows (no dates) hold every earlier encounter: the words are written for the FHIR rows cards explain
    "encounter_seq": "number of earlier encounters in the prior year",
    "dx_n": "number of diagnoses",
    "dx_diabetes": "diabetes diagnosis",
    "dx_charlson": "Charlson comorbidity index",
    "med_n": "number of distinct medications",
    "proc_n": "number of distinct procedures",
    "hist_n_prior": "earlier encounters in the prior year (all)",
    "hist_days_since_discharge": "days since the last discharge",
    "hist_prior_los_sum": "total days in hospital in the prior year",
    "hist_prior_dx_mean": "diagnoses per earlier encounter",
    "sequence_model": "encounter-history sequence model",
}
_PATTERNS = (
    (r"dx_primary_(.+)", "primary diagnosis: {0}"),
    (r"dx_(.+)", "diagnoses in chapter {0}"),
    (r"med=(.+)", "medication {0}"),
    (r"proc=(.+)", "procedure {0}"),
    (r"extra_(.+)=(.+)", "{0} is {1}"),
    (r"extra_(.+)", "{0}"),
    (r"hist_n_(.+)", "earlier {0} encounters in the prior year"),
    (r"hist_(inpatient|emergency)_(\d+)d", "{0} encounters in the prior {1} days"),
    (r"hist_last_prior_(.+)_365d", "{0} encounters in the year before the previous stay"),
    (r"lab_(.+)_last", "last {0} (scaled to its normal range)"),
    (r"lab_(.+)_trend", "{0} change over the history (scaled)"),
    (r"lab_(.+)_n", "number of {0} results"),
    (r"(sex|admission_acuity|discharge_disposition)=(.+)", "{0} is {1}"),
)


def readable(name: str) -> str:
    if name in _EXACT:
        return _EXACT[name]
    for pattern, template in _PATTERNS:
        match = re.fullmatch(pattern, name)
        if match:
            return template.format(*(g.replace("_", " ") for g in match.groups()))
    return name.replace("_", " ")
