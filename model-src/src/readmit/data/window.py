"""The history window: which of a patient's other encounters an index stay's row holds.

One rule for training and serving. The CDS Hooks service (readmit.traffic.prefetch, then
readmit.data.fhir_stay) scores a stay being discharged from what the discharge hook's prefetch gives it,
and keeps the year before the admission (what the service asks an EHR for; a prefetch template cannot
say it, so the service applies it to whatever record it is sent). FHIR ingest
(readmit.data.fhir_ingest -> readmit.data.tables) builds every training row from the same year, so the
model learns from the history it will be shown: `encounter_seq`, the `history` items and every aggregate
the features take from them (hist_n_*, hist_prior_*, recency, the sequence model's steps) agree between
a training row and the served row of the same stay.

The window holds every encounter begun before the admission and ended (or, without an end, begun) at
most HISTORY_DAYS before it: all that ingest's prior_<class>_365d counts (begun in the year) and the
features' 30/90/365-day windows (discharged in the year) can see; nothing from the future. Which of them
become `history` items (those that had ended by the admission) is tables' and fhir_stay's rule.

UCI has no dates: its rows keep every earlier encounter of the patient (ordered by encounter_id).
"""

from __future__ import annotations

from datetime import timedelta

import pandas as pd

HISTORY_DAYS = 365
HISTORY_WINDOW = timedelta(days=HISTORY_DAYS)


def in_window(start, end, admission):
    """Whether an encounter (start, end) lies in the history window of an admission at `admission`.

    Works on datetimes (one encounter; `end` None when it has none) and on pandas Series of UTC
    timestamps (pairs of encounters; NaT when unknown), elementwise. A missing start is never in it."""
    if isinstance(end, pd.Series):
        last = end.fillna(start)
    elif start is None:
        return False
    else:
        last = start if end is None else end
    return (start < admission) & (last >= admission - HISTORY_WINDOW)
