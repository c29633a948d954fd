"""What each simulated stay contains: diagnoses, medications, labs (with times) and procedures."""

from __future__ import annotations

import numpy as np
import pandas as pd

from readmit.data.synth.drift import Scenario

CHRONIC_CODES = {
    "diabetes": "E11.9",
    "chf": "I50.9",
    "ckd": "N18.30",
    "copd": "J44.9",
    "hypertension": "I10",
    "afib": "I48.91",
}
CHRONIC_MEDS = {
    "diabetes": [
        ("860975", "metformin 500 MG Extended Release Oral Tablet"),
        ("311041", "insulin glargine 100 UNT/ML Injectable Solution"),
    ],
    "chf": [("310429", "furosemide 20 MG Oral Tablet"), ("200031", "carvedilol 6.25 MG Oral Tablet")],
    "ckd": [("314076", "lisinopril 10 MG Oral Tablet")],
    "copd": [
        ("745679", "albuterol 0.09 MG/ACTUAT Metered Dose Inhaler"),
        ("1536277", "tiotropium 0.0025 MG/ACTUAT Inhalation Spray"),
    ],
    "hypertension": [("197361", "amlodipine 5 MG Oral Tablet")],
    "afib": [("1364445", "apixaban 5 MG Oral Tablet")],
}
OTHER_MEDS = [
    ("313782", "acetaminophen 325 MG Oral Tablet"),
    ("312086", "ondansetron 4 MG Oral Tablet"),
    ("854235", "enoxaparin 40 MG/0.4 ML Injectable Solution"),
    ("259255", "atorvastatin 80 MG Oral Tablet"),
    ("243670", "aspirin 81 MG Oral Tablet"),
    ("314200", "pantoprazole 40 MG Delayed Release Oral Tablet"),
    ("197319", "allopurinol 100 MG Oral Tablet"),
    ("308182", "amoxicillin 250 MG Oral Capsule"),
    ("1049221", "oxycodone 5 MG Oral Tablet"),
    ("966222", "levothyroxine 0.075 MG Oral Tablet"),
]
ELECTIVE_PROC = {
    "M17.11": ("609588000", "Total knee replacement"),
    "I25.10": ("41976001", "Cardiac catheterization"),
    "K80.20": ("38102005", "Cholecystectomy"),
}
OTHER_PROC = [
    ("40701008", "Echocardiography"),
    ("399208008", "Plain chest X-ray"),
    ("16310003", "Diagnostic ultrasonography"),
    ("418891003", "Computed tomography of chest and abdomen"),
    ("73761001", "Colonoscopy"),
    ("252160004", "Standard electrocardiogram"),
]


def diagnoses(stay, pop_row, drift: Scenario) -> list[str]:
    codes = [stay.primary] + [code for name, code in CHRONIC_CODES.items() if pop_row[name]]
    codes = [drift.recode.get(c, c) for c in codes]
    return list(dict.fromkeys(codes))


def medications(rng, stay, pop_row) -> list[tuple[str, str]]:
    meds = [m for name, options in CHRONIC_MEDS.items() if pop_row[name] for m in options]
    extra = [OTHER_MEDS[i] for i in rng.permutation(len(OTHER_MEDS))]
    return list(dict.fromkeys(meds + extra))[: max(int(stay.n_meds), 1)]


def labs(rng, stay, pop_row) -> list[tuple[str, float, float]]:
    """(lab, value in canonical units, day) taken during the stay."""
    t0, t1 = stay.start, stay.discharge
    admit = t0 + 0.05 * (t1 - t0)
    out = [
        ("creatinine", stay.creat_now, admit),
        ("creatinine", stay.creat_now * rng.uniform(0.85, 1.02), t0 + 0.9 * (t1 - t0)),
    ]
    if pop_row["diabetes"] or rng.uniform() < 0.25:
        out.append(("hba1c", stay.hba1c_now, admit))
    glucose = 100 + 22 * (stay.hba1c_now - 5.4) + rng.normal(0, 15)
    out += [
        ("glucose", max(glucose, 50.0), admit),
        ("sodium", rng.normal(139, 3), admit),
        ("potassium", rng.normal(4.2, 0.4), admit),
        ("hemoglobin", rng.normal(12.0 if pop_row["female"] else 13.5, 1.5), admit),
    ]
    return out


def procedures(rng, stay) -> list[tuple[str, str]]:
    chosen = [ELECTIVE_PROC[stay.primary]] if stay.primary in ELECTIVE_PROC else []
    picks = rng.choice(len(OTHER_PROC), size=min(rng.poisson(0.9), len(OTHER_PROC)), replace=False)
    return chosen + [OTHER_PROC[i] for i in picks]


def disposition(rng, stays: pd.DataFrame) -> np.ndarray:
    """FHIR discharge-disposition codes: death and hospice from the simulation, the rest by age."""
    routine = np.where(
        rng.uniform(size=len(stays)) < 0.75,
        "home",
        rng.choice(
            np.array(["snf", "rehab", "other-hcf", "aadvice"]), len(stays), p=[0.55, 0.25, 0.12, 0.08]
        ),
    )
    return np.where(stays["died"], "exp", np.where(stays["hospice"], "hosp", routine))
