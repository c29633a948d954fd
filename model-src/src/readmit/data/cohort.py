"""Who is an index stay, and its label (FHIR source).

Index candidates are inpatient encounters. Each gets a status: "index", or the reason it is
excluded: no discharge time, death in the stay (deceasedDateTime within it, or disposition
"expired"), hospice discharge, or a 30-day follow-up window that runs past the end of the data.
Label: another inpatient admission of the same patient starting within 30 days after the
discharge that was not planned (priority elective/routine).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

WINDOW = pd.Timedelta(days=30)


def status(enc: pd.DataFrame, deceased: pd.Series, data_end: pd.Timestamp) -> pd.Series:
    """enc: start, end (UTC), encounter_class, disposition (mapped); deceased aligned to enc."""
    inpatient = enc["encounter_class"] == "inpatient"
    died = deceased.notna() & (deceased >= enc["start"]) & (deceased <= enc["end"].fillna(data_end))
    out = pd.Series("", index=enc.index, dtype=object)
    out[inpatient] = "index"
    # Later rules win: the first reason in this list is the one reported for a stay.
    rules = [
        ("followup_past_data_end", enc["end"] + WINDOW > data_end),
        ("hospice", enc["disposition"] == "hospice"),
        ("death", died | (enc["disposition"] == "death")),
        ("no_discharge", enc["end"].isna()),
    ]
    for reason, mask in rules:
        out[inpatient & mask.fillna(False).astype(bool)] = reason
    return out


def label(enc: pd.DataFrame) -> pd.Series:
    """1 when an unplanned inpatient admission starts in (end, end + 30 days]. enc needs
    patient_id, encounter_id, encounter_class, start, end, planned."""
    stays = enc.loc[
        enc["encounter_class"] == "inpatient", ["patient_id", "encounter_id", "start", "end", "planned"]
    ]
    later = stays.loc[~stays["planned"], ["patient_id", "start"]].rename(columns={"start": "next_start"})
    pairs = stays[["patient_id", "encounter_id", "end"]].merge(later, on="patient_id")
    hit = (pairs["next_start"] > pairs["end"]) & (pairs["next_start"] <= pairs["end"] + WINDOW)
    readmitted = set(pairs.loc[hit, "encounter_id"])
    return pd.Series(np.where(enc["encounter_id"].isin(readmitted), 1, 0), index=enc.index, dtype="int64")
