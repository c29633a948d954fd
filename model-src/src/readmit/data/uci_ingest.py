"""UCI Diabetes 130-US rows -> source-neutral encounters (see `readmit.data.tables`).

The data set has no dates: a patient's encounters are ordered by `encounter_id` and every
`*_day` is NaN. Label = readmitted "<30". Death (11, 19, 20, 21) and hospice (13, 14)
discharges are excluded as index rows but stay in the history.
`extra["period"]` is the row's place in encounter_id order, in PERIODS equal buckets: the only
time axis the data set has, used by the forward-in-time split (never as a feature).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

EXCLUDE = {11: "death", 19: "death", 20: "death", 21: "death", 13: "hospice", 14: "hospice"}
MEDS = (
    "metformin",
    "repaglinide",
    "nateglinide",
    "chlorpropamide",
    "glimepiride",
    "acetohexamide",
    "glipizide",
    "glyburide",
    "tolbutamide",
    "pioglitazone",
    "rosiglitazone",
    "acarbose",
    "miglitol",
    "troglitazone",
    "tolazamide",
    "examide",
    "citoglipton",
    "insulin",
    "glyburide-metformin",
    "glipizide-metformin",
    "glimepiride-pioglitazone",
    "metformin-rosiglitazone",
    "metformin-pioglitazone",
)
RACE = {
    "Caucasian": "white",
    "AfricanAmerican": "black",
    "Asian": "asian",
    "Hispanic": "hispanic",
    "Other": "other",
}
SEX = {"Female": "female", "Male": "male"}
ACUITY = {1: "emergency", 7: "emergency", 2: "urgent", 3: "elective"}
DISPOSITION = {
    1: "home",
    6: "home_health",
    8: "home_health",
    3: "snf",
    24: "snf",
    15: "snf",
    22: "rehab",
    2: "transfer",
    5: "transfer",
    23: "transfer",
    27: "transfer",
    28: "transfer",
    29: "transfer",
    30: "transfer",
    10: "transfer",
    7: "ama",
    4: "other",
    9: "other",
    12: "other",
    16: "other",
    17: "other",
    18: "unknown",
    25: "unknown",
    26: "unknown",
}
PERIODS = 1000  # buckets of extra["period"]: ~100 stays each on the full data set
# Categorical results -> a representative value in the canonical unit (schema.LAB_UNITS).
A1C = {">8": 9.0, ">7": 7.5, "Norm": 5.6}
GLUCOSE = {">300": 350.0, ">200": 250.0, "Norm": 120.0}
EXTRA = (
    "weight",
    "payer_code",
    "medical_specialty",
    "admission_source_id",
    "number_diagnoses",
    "A1Cresult",
    "max_glu_serum",
    "change",
    "diabetesMed",
)


def _age(bracket: pd.Series) -> tuple[pd.Series, pd.Series]:
    """ "[70-80)" -> (75, "70-79"); [90-100) -> (90, "90+") under Safe Harbor."""
    parts = bracket.fillna("").str.extract(r"\[(\d+)-(\d+)\)")
    low = pd.to_numeric(parts[0], errors="coerce")
    high = pd.to_numeric(parts[1], errors="coerce")
    age = ((low + high) // 2).clip(upper=90)
    band = np.where(
        low >= 90, "90+", low.astype("Int64").astype(str) + "-" + (high - 1).astype("Int64").astype(str)
    )
    band = pd.Series(band, index=bracket.index).where(low.notna(), "unknown")
    return age.fillna(-1).astype("int64"), band


def _diagnoses(df: pd.DataFrame) -> list[list[str]]:
    cols = [df[c].tolist() for c in ("diag_1", "diag_2", "diag_3")]
    return [[v for v in row if isinstance(v, str) and v] for row in zip(*cols, strict=True)]


def _med_status(df: pd.DataFrame) -> list[dict[str, str]]:
    """Per row {drug: Up/Down/Steady} for the drugs prescribed (most rows have one or two)."""
    present = [m for m in MEDS if m in df.columns]
    out: list[dict[str, str]] = [{} for _ in range(len(df))]
    if present:
        values = df[present].to_numpy(dtype=object)
        rows, cols = np.nonzero((values != "No") & pd.notna(values) & (values != ""))
        for r, c in zip(rows.tolist(), cols.tolist(), strict=True):
            out[r][present[c]] = values[r, c]
    return out


def _extras(df: pd.DataFrame, cols: list[str]) -> list[dict]:
    values = [df[c].astype(object).where(df[c].notna(), None).tolist() for c in cols]
    return [dict(zip(cols, row, strict=True)) for row in zip(*values, strict=True)]


def _labs(df: pd.DataFrame) -> list[dict]:
    a1c = df.get("A1Cresult", pd.Series(index=df.index, dtype=object)).map(A1C).tolist()
    glu = df.get("max_glu_serum", pd.Series(index=df.index, dtype=object)).map(GLUCOSE).tolist()
    out = []
    for a, g in zip(a1c, glu, strict=True):
        labs = {}
        if pd.notna(a):
            labs["hba1c"] = [[None, a]]
        if pd.notna(g):
            labs["glucose"] = [[None, g]]
        out.append(labs)
    return out


def to_encounters(df: pd.DataFrame) -> tuple[pd.DataFrame, dict]:
    """Return (encounters frame, rows_in counts). Pure."""
    age, band = _age(df["age"])
    dispo = df["discharge_disposition_id"]
    extra_cols = [c for c in EXTRA if c in df.columns]
    meds = _med_status(df)
    extras = _extras(df.replace({"A1Cresult": {"None": None}, "max_glu_serum": {"None": None}}), extra_cols)
    period = (df["encounter_id"].rank(method="first").to_numpy() - 1) * PERIODS // len(df) if len(df) else []
    for extra, status, bucket in zip(extras, meds, period, strict=True):
        extra["med_status"] = status  # Up / Down / Steady per prescribed drug
        extra["period"] = int(bucket)
    enc = pd.DataFrame(
        {
            "patient_id": df["patient_nbr"].astype(str),
            "encounter_id": df["encounter_id"].astype(str),
            "encounter_class": "inpatient",
            "admit_day": np.nan,
            "discharge_day": np.nan,
            "los_days": df["time_in_hospital"].astype(float),
            "dx_codes": _diagnoses(df),
            "med_codes": [sorted(m) for m in meds],
            "proc_codes": [[] for _ in range(len(df))],
            "labs": _labs(df),
            "status": dispo.map(EXCLUDE).fillna("index"),
            "age": age,
            "age_band": band,
            "sex": df["gender"].map(SEX).fillna("unknown"),
            "race": df["race"].map(RACE).fillna("unknown"),
            "zip3": "000",
            "admission_acuity": df["admission_type_id"].map(ACUITY).fillna("unknown"),
            "discharge_disposition": dispo.map(DISPOSITION).fillna("unknown"),
            "dx_system": "icd9",
            "n_lab_procedures": df["num_lab_procedures"],
            "n_procedures": df["num_procedures"],
            "n_medications": df["num_medications"],
            "prior_inpatient_365d": df["number_inpatient"],
            "prior_emergency_365d": df["number_emergency"],
            "prior_outpatient_365d": df["number_outpatient"],
            "extra": extras,
            "label": (df["readmitted"] == "<30").astype("int64"),
        }
    )
    # The file is not sorted by encounter_id; ordering by it is how the data set encodes time.
    enc["admit_order"] = df["encounter_id"].to_numpy()
    enc = enc.sort_values(["patient_id", "admit_order"], kind="stable").drop(columns="admit_order")
    rows_in = {"rows": len(df), "patients": int(df["patient_nbr"].nunique())}
    return enc.reset_index(drop=True), rows_in
