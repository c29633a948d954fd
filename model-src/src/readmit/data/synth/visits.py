"""Emergency and outpatient visits around the stays (utilisation history, never index stays)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from readmit.data.synth.stays import END_DAY

ED_REASONS = np.array(["R07.9", "R10.9", "R55", "R06.02", "J06.9", "S09.90XA"])
OUTPATIENT_RATE = 1.0  # visits a year


def make(rng: np.random.Generator, pop: pd.DataFrame, stays: pd.DataFrame) -> pd.DataFrame:
    """One row per visit: patient, class (EMER/AMB), start, end (days), reason (ED only)."""
    years = END_DAY / 365.2425
    n_ed = rng.poisson(pop["ed_rate"].to_numpy() * years)
    n_amb = rng.poisson(OUTPATIENT_RATE * years, len(pop))
    patient = np.concatenate([np.repeat(np.arange(len(pop)), n_ed), np.repeat(np.arange(len(pop)), n_amb)])
    cls = np.array(["EMER"] * int(n_ed.sum()) + ["AMB"] * int(n_amb.sum()), dtype=object)
    start = rng.uniform(0, END_DAY - 0.5, len(patient))
    hours = np.where(cls == "EMER", rng.uniform(2, 8, len(patient)), rng.uniform(0.25, 1, len(patient)))
    visits = pd.DataFrame(
        {
            "patient": patient,
            "cls": cls,
            "start": start,
            "end": start + hours / 24,
            "reason": np.where(cls == "EMER", rng.choice(ED_REASONS, len(patient)), ""),
        }
    )
    # Nobody visits after dying, and a visit does not overlap an inpatient stay.
    end_of_life = stays.loc[stays["died"] | stays["hospice"]].groupby("patient")["discharge"].min()
    alive = visits["start"] < visits["patient"].map(end_of_life).fillna(np.inf)
    pairs = visits.reset_index().merge(
        stays[["patient", "start", "discharge"]], on="patient", suffixes=("", "_s")
    )
    inside = pairs.loc[(pairs["end"] >= pairs["start_s"]) & (pairs["start"] <= pairs["discharge"]), "index"]
    visits = visits[alive & ~visits.index.isin(inside)]
    return visits.sort_values(["patient", "start"], kind="stable").reset_index(drop=True)
