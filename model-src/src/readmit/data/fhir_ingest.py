"""FHIR export frames (from `fhir_read`) -> source-neutral encounters (see `readmit.data.tables`).

Calendar dates stop here: every time becomes days since the patient's first encounter, and
birth dates only yield an age (capped at 90). The end of the data is the latest encounter time.
Each index stay's history is the year before its admission (`history_ids`, readmit.data.window): the
CDS Hooks service sees only that year, so training rows hold no more.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from readmit.data import codes, cohort, window
from readmit.data.deid import age_band, cap_age, zip3
from readmit.errors import InputError

DAY = pd.Timedelta(days=1)
YEAR = 365.2425 * DAY  # an age in whole years is (admission - birth) // YEAR
PRIOR_WINDOW = 365 * DAY  # prior_<class>_365d counts encounters begun this long before the admission
PRIOR_CLASSES = ("inpatient", "emergency", "outpatient")
# birthDate is a date and times carry zones: a birth up to a day after the admission still counts as before
BIRTH_SLACK = DAY

# The per-value rules below are the ones fhir_stay (one live stay, no pandas) applies too.


def sex(gender) -> str:
    return gender if gender in ("female", "male") else "unknown"


def race(race, ethnicity) -> str:
    return "hispanic" if ethnicity == codes.HISPANIC else codes.RACE.get(race, "unknown")


def extra(encounter_type) -> dict:
    return {"encounter_type": encounter_type} if isinstance(encounter_type, str) else {}


def unit_factor(lab: str, unit) -> tuple[float, float]:
    """(scale, offset) that convert a lab value in `unit` to the lab's standard unit."""
    return codes.UNIT_FACTORS.get((lab, unit), (1.0, 0.0))


def backwards_period(where: str, count: int) -> InputError:
    # FHIR invariant per-1 (start <= end): the export is broken, so the producer must fix it.
    return InputError(
        f"{where}: Encounter.period.end is before Encounter.period.start ({count} encounter(s)); "
        "fix the period (FHIR per-1: start <= end)"
    )


def _time(values: pd.Series, src: pd.Series, field: str) -> pd.Series:
    parsed = pd.to_datetime(values, utc=True, errors="coerce", format="ISO8601")
    bad = values.notna() & parsed.isna()
    if bad.any():
        where = src[bad].iloc[0]
        # The value itself is not echoed: it may be a birth or death date (PHI).
        raise InputError(f"{where}: {field} is not an ISO 8601 date-time; fix it (e.g. 2020-01-31T10:00:00Z)")
    return parsed


def dx_code(system: str | None, code: str | None) -> str | None:
    """A Condition's diagnosis code: ICD-10-CM as is, SNOMED CT mapped to it, else "sct:<code>"."""
    if system == codes.ICD10:
        return code
    return codes.SNOMED_TO_ICD10.get(code) or f"sct:{code}"


def _dx(cond: pd.DataFrame) -> list:
    return [dx_code(s, c) for s, c in zip(cond["system"], cond["code"], strict=True)]


def _per_encounter(frame: pd.DataFrame, value: str) -> dict[str, list]:
    """encounter id -> unique values in file order (plain loop: groupby.agg is 20x slower here)."""
    out: dict[str, dict] = {}
    for enc_id, item in zip(frame["encounter_id"], frame[value], strict=True):
        if isinstance(enc_id, str):
            out.setdefault(enc_id, {})[item] = None
    return {enc_id: list(items) for enc_id, items in out.items()}


def _labs(obs: pd.DataFrame, day0: pd.Series, enc_end: pd.Series) -> tuple[dict, dict, dict[str, int]]:
    """(labs per encounter, lab count per encounter, dropped counts). A result without a time, a known
    patient or a value in float range cannot be placed (`observations_unusable`); one taken after its
    encounter ended would leak the future into the stay (`observations_after_encounter_end`)."""
    obs = obs.assign(lab=obs["code"].map(codes.LABS)).dropna(subset=["lab", "encounter_id", "value"])
    factors = [unit_factor(lab, unit) for lab, unit in zip(obs["lab"], obs["unit"], strict=True)]
    scale = np.array([f[0] for f in factors]).reshape(-1)
    offset = np.array([f[1] for f in factors]).reshape(-1)
    obs = obs.assign(
        value=obs["value"].astype(float) * scale + offset,
        day=(obs["time"] - obs["patient_id"].map(day0)) / DAY,
    )
    unplaced = obs["day"].isna() | ~np.isfinite(obs["value"])
    late = ~unplaced & (obs["time"] > obs["encounter_id"].map(enc_end)).fillna(False).astype(bool)
    dropped = {
        "observations_unusable": int(unplaced.sum()),
        "observations_after_encounter_end": int(late.sum()),
    }
    obs = obs[~unplaced & ~late].sort_values("day", kind="stable")
    labs: dict[str, dict] = {}
    for enc_id, lab, day, value in zip(
        obs["encounter_id"], obs["lab"], obs["day"], obs["value"], strict=True
    ):
        labs.setdefault(enc_id, {}).setdefault(lab, []).append([round(day, 4), round(value, 3)])
    return labs, obs.groupby("encounter_id").size().to_dict(), dropped


def _prior_counts(enc: pd.DataFrame) -> pd.DataFrame:
    idx = enc.loc[enc["status"] == "index", ["encounter_id", "patient_id", "start"]]
    other = enc[["patient_id", "encounter_class", "start", "end"]].rename(
        columns={"start": "start_p", "end": "end_p"}
    )
    pairs = idx.merge(other, on="patient_id")
    recent = (pairs["end_p"] <= pairs["start"]) & (pairs["start_p"] >= pairs["start"] - PRIOR_WINDOW)
    counts = pairs[recent].groupby(["encounter_id", "encounter_class"]).size().unstack(fill_value=0)
    out = pd.DataFrame(index=enc["encounter_id"])
    for cls in PRIOR_CLASSES:
        out[f"prior_{cls}_365d"] = counts.get(cls, 0)
    return out.fillna(0).astype("int64").reset_index(drop=True)


def _windows(enc: pd.DataFrame) -> list[frozenset | None]:
    """Per encounter: for an index stay, the ids of the patient's encounters in its history window
    (readmit.data.window, the rule the CDS service applies too); None for every other encounter."""
    idx = enc.loc[enc["status"] == "index", ["encounter_id", "patient_id", "start"]]
    other = enc[["patient_id", "encounter_id", "start", "end"]].rename(
        columns={"encounter_id": "id_p", "start": "start_p", "end": "end_p"}
    )
    pairs = idx.merge(other, on="patient_id")
    pairs = pairs[window.in_window(pairs["start_p"], pairs["end_p"], pairs["start"]).to_numpy(dtype=bool)]
    members: dict[str, set] = {}
    for enc_id, member in zip(pairs["encounter_id"], pairs["id_p"], strict=True):
        members.setdefault(enc_id, set()).add(member)
    return [
        frozenset(members.get(enc_id, ())) if status == "index" else None
        for enc_id, status in zip(enc["encounter_id"], enc["status"], strict=True)
    ]


def to_encounters(
    frames: dict[str, pd.DataFrame], live_index: str | None = None
) -> tuple[pd.DataFrame, dict]:
    """Return (encounters frame, rows_in counts). Pure.

    `live_index`: the id of an encounter being discharged now (the CDS Hooks service). Its future is
    unknown, so the cohort rules that look past the discharge do not apply: it is the one index
    candidate, every other encounter is history, and the label is meaningless (0)."""
    pat = frames["Patient"].drop_duplicates("patient_id").set_index("patient_id")
    enc = frames["Encounter"].drop_duplicates("encounter_id").copy()
    orphans = int((~enc["patient_id"].isin(pat.index)).sum())  # subject not in the export: unusable
    enc = enc[enc["patient_id"].isin(pat.index)].reset_index(drop=True)
    enc["start"] = _time(enc["start"], enc["src"], "Encounter.period.start")
    enc["end"] = _time(enc["end"], enc["src"], "Encounter.period.end")
    backwards = enc["end"] < enc["start"]
    if backwards.any():
        raise backwards_period(enc["src"][backwards].iloc[0], int(backwards.sum()))
    enc["encounter_class"] = enc["class"].map(codes.CLASS).fillna("other")
    enc["disposition"] = enc["disposition"].map(codes.DISPOSITION).fillna("unknown")
    enc["planned"] = enc["priority"].isin(codes.PLANNED_PRIORITY)
    day0 = enc.groupby("patient_id")["start"].min()
    data_end = pd.concat([enc["start"], enc["end"]]).max()
    deceased = _time(
        enc["patient_id"].map(pat["deceased"]), enc["patient_id"].map(pat["src"]), "Patient.deceasedDateTime"
    )
    if live_index is None:
        enc["status"] = cohort.status(enc, deceased, data_end)
    else:
        enc["status"] = (enc["encounter_id"] == live_index).map({True: "index", False: ""})
    enc["label"] = cohort.label(enc)
    enc["admit_day"] = (enc["start"] - enc["patient_id"].map(day0)) / DAY
    enc["discharge_day"] = (enc["end"] - enc["patient_id"].map(day0)) / DAY
    enc["los_days"] = (enc["end"] - enc["start"]) / DAY

    cond = frames["Condition"].assign(dx=lambda c: _dx(c))
    obs = frames["Observation"].assign(
        time=lambda o: _time(o["effective"], o["src"], "Observation.effectiveDateTime")
    )
    dx, meds = _per_encounter(cond, "dx"), _per_encounter(frames["MedicationRequest"], "code")
    procs = _per_encounter(frames["Procedure"], "code")
    labs, n_labs, dropped_obs = _labs(obs, day0, enc.set_index("encounter_id")["end"])
    ids = enc["encounter_id"]
    enc["dx_codes"] = [dx.get(i, []) for i in ids]
    enc["med_codes"] = [meds.get(i, []) for i in ids]
    enc["proc_codes"] = [procs.get(i, []) for i in ids]
    enc["labs"] = [labs.get(i, {}) for i in ids]
    enc["n_lab_procedures"] = ids.map(n_labs).fillna(0).astype("int64")
    enc["n_procedures"] = enc["proc_codes"].map(len)
    enc["n_medications"] = enc["med_codes"].map(len)
    enc = pd.concat([enc, _prior_counts(enc)], axis=1)

    birth = _time(
        enc["patient_id"].map(pat["birth_date"]), enc["patient_id"].map(pat["src"]), "Patient.birthDate"
    )
    # Without a birth date there is no age: such stays cannot be index rows (counted, not guessed).
    enc.loc[(enc["status"] == "index") & birth.isna(), "status"] = "no_birth_date"
    # Born after the admission (BIRTH_SLACK): the two resources disagree, neither is broken on its own,
    # so the stay is excluded and counted.
    enc.loc[(enc["status"] == "index") & (birth > enc["start"] + BIRTH_SLACK), "status"] = (
        "birth_after_admission"
    )
    years = ((enc["start"] - birth) / YEAR).fillna(-1).astype(int)
    enc["age"] = years.map(cap_age)
    enc["age_band"] = enc["age"].map(age_band)
    enc["sex"] = [sex(g) for g in enc["patient_id"].map(pat["gender"])]
    ethnicity = enc["patient_id"].map(pat["ethnicity"])
    enc["race"] = [race(r, e) for r, e in zip(enc["patient_id"].map(pat["race"]), ethnicity, strict=True)]
    enc["zip3"] = enc["patient_id"].map(pat["postal_code"]).map(zip3)
    enc["admission_acuity"] = enc["priority"].map(codes.ACUITY).fillna("unknown")
    enc["discharge_disposition"] = enc["disposition"]
    enc["dx_system"] = "icd10"
    enc["extra"] = [extra(t) for t in enc["type"]]
    enc["history_ids"] = _windows(enc)
    rows_in = {
        "patients": len(pat),
        "encounters": len(enc),
        "encounters_without_patient": orphans,
        "inpatient_encounters": int((enc["encounter_class"] == "inpatient").sum()),
        "observations": len(obs),
        **dropped_obs,
        "conditions": len(cond),
    }
    return enc, rows_in
