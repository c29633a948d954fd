"""Inpatient stays, simulated stay by stay for all patients at once (vectorised over patients).

After each stay the sampled outcome decides what comes next: a readmission within 1-29.5 days
(label 1), occasionally a planned elective admission within 30 days (label 0: planned stays do
not count), or a new admission more than 30 days later; deaths and hospice end the sequence.
Days are counted from the start of the data (START in generate.py); the data end at END_DAY.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from readmit.data.synth import risk

END_DAY = 1826.0  # five years of data
PRIMARY = np.array(
    ["I50.9", "J44.1", "J18.9", "A41.9", "N39.0", "I21.4", "I63.9", "E11.65", "K92.2", "N17.9", "S72.001A"]
)
BASE_W = np.array([0.5, 0.4, 1.2, 0.8, 1.0, 0.6, 0.5, 0.3, 0.6, 0.4, 0.5])
BONUS = {"chf": 0, "copd": 1, "diabetes": 7, "ckd": 9}  # comorbidity -> index of its typical primary dx
SEVERE = np.array(["A41.9", "N17.9", "K92.2"])  # past stays for these raise later risk (history only)
AFTER_INFECTION = np.array(["J18.9", "A41.9", "N39.0"])  # previous stay for these within 180 d (history only)
ELECTIVE = np.array(["M17.11", "I25.10", "K80.20"])
GAP_DAYS = 600.0  # mean extra gap before a new (not readmission) admission, average frailty
MAX_STEPS = 200  # a hard stop; with >= 1 day between stays it is never reached in five years


def _choose(rng, weights: np.ndarray) -> np.ndarray:
    cum = np.cumsum(weights / weights.sum(axis=1, keepdims=True), axis=1)
    return (rng.uniform(size=(len(weights), 1)) > cum).sum(axis=1).clip(max=weights.shape[1] - 1)


def _sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def _recent(days: np.ndarray, start: np.ndarray) -> np.ndarray:
    """Per row, how many of `days` (NaN = none) fall in the year before `start`."""
    return ((days <= start[:, None]) & (days >= start[:, None] - 365)).sum(axis=1)


def simulate(rng: np.random.Generator, pop: pd.DataFrame, history_signal: bool) -> pd.DataFrame:
    n = len(pop)
    P = {c: pop[c].to_numpy() for c in pop.columns}
    next_start = np.where(rng.uniform(size=n) < 0.7, rng.uniform(0, END_DAY * 0.9, n), np.nan)
    kind = np.full(n, "new", dtype=object)
    count = np.zeros(n, dtype=int)
    creat_first = np.full(n, np.nan)
    hba1c_prev = np.full(n, np.nan)
    quiet_until = np.full(n, -np.inf)  # 30 days after the latest stay with label 0
    last_severe = np.full(n, -np.inf)  # discharge day of the latest stay for sepsis, AKI or GI bleed
    last_primary = np.full(n, "", dtype=object)  # primary diagnosis of the previous stay
    last_discharge = np.full(n, -np.inf)
    discharges: list[np.ndarray] = []  # per step: discharge day per patient (NaN if no stay)
    readmitted: list[np.ndarray] = []  # per step: discharge day when that stay led to a readmission
    records = []
    for _ in range(MAX_STEPS):
        idx = np.flatnonzero(~np.isnan(next_start) & (next_start < END_DAY))
        if not len(idx):
            break
        start = next_start[idx] + rng.uniform(0, 0.5, len(idx))  # admissions at any time of day
        m = len(idx)
        age = P["age0"][idx] + start / 365.2425
        acuity = np.where(
            kind[idx] == "planned",
            "EL",
            np.where(
                kind[idx] == "readmit",
                np.where(rng.uniform(size=m) < 0.8, "EM", "UR"),
                rng.choice(np.array(["EM", "UR", "EL"]), m, p=[0.6, 0.25, 0.15]),
            ),
        )
        weights = np.tile(BASE_W, (m, 1))
        for comorbidity, col in BONUS.items():
            weights[:, col] += 1.5 * P[comorbidity][idx]
        primary = np.where(acuity == "EL", rng.choice(ELECTIVE, m), PRIMARY[_choose(rng, weights)])
        n_chronic = sum(
            P[c][idx].astype(int) for c in ("diabetes", "chf", "ckd", "copd", "hypertension", "afib")
        )
        los = np.clip(
            np.exp(rng.normal(np.log(3.2) + 0.12 * P["frailty"][idx] + 0.25 * P["chf"][idx], 0.55)), 0.4, 30
        )
        years = start / 365.2425
        creat_now = np.maximum(
            P["creat_base"][idx] + P["creat_slope"][idx] * years + rng.normal(0, 0.08, m), 0.3
        )
        hba1c_now = P["hba1c_base"][idx] + P["hba1c_drift"][idx] * years + rng.normal(0, 0.2, m)
        past = np.column_stack([d[idx] for d in discharges]) if discharges else np.empty((m, 0))
        past_readmit = np.column_stack([d[idx] for d in readmitted]) if readmitted else np.empty((m, 0))
        s = {
            "age": age,
            "primary": primary,
            "los": los,
            "acuity": acuity,
            "n_meds": 2 + rng.poisson(1.0 + 1.1 * n_chronic),
            "creat_now": creat_now,
            "prior_inpatient_365d": _recent(past, start),
            "creat_rise": np.nan_to_num(creat_now - creat_first[idx]),
            "hba1c_change": np.nan_to_num(hba1c_now - hba1c_prev[idx]),
            "prior_readmissions": _recent(past_readmit, start),
            "prior_severe": start - last_severe[idx] <= 730,
            "after_infection": np.isin(last_primary[idx], AFTER_INFECTION)
            & (start - last_discharge[idx] <= 180),
            "frailty": P["frailty"][idx],
            **{c: P[c][idx] for c in ("chf", "ckd", "copd", "diabetes")},
        }
        prob = risk.probability(s, history_signal)
        died = rng.uniform(size=m) < _sigmoid(-4.6 + 0.045 * (age - 65) + 0.5 * P["frailty"][idx])
        hospice = ~died & (rng.uniform(size=m) < _sigmoid(-6.0 + 0.05 * (age - 65) + 0.4 * P["frailty"][idx]))
        label = (rng.uniform(size=m) < prob) & ~died & ~hospice
        los = np.where(died, los * rng.uniform(0.3, 1.0, m), los)
        discharge = start + los
        records.append(
            pd.DataFrame(
                {
                    "patient": idx,
                    "stay": count[idx],
                    "start": start,
                    "discharge": discharge,
                    **{
                        k: s[k]
                        for k in (
                            "acuity",
                            "primary",
                            "los",
                            "n_meds",
                            "creat_now",
                            "creat_rise",
                            "hba1c_change",
                            "prior_readmissions",
                            "prior_severe",
                            "after_infection",
                            "prior_inpatient_365d",
                        )
                    },
                    "hba1c_now": hba1c_now,
                    "probability": prob,
                    "label": label.astype(int),
                    "died": died,
                    "hospice": hospice,
                }
            )
        )
        step = np.full(n, np.nan)
        step[idx] = discharge
        discharges.append(step)
        readmitted.append(np.where(np.isin(np.arange(n), idx[label]), step, np.nan))
        planned = ~label & (rng.uniform(size=m) < 0.05)
        # A readmission must not also fall within 30 days of an earlier label-0 stay (possible after a
        # planned stay), or that stay's observable label would disagree with its sampled one.
        earliest = np.maximum(1.0, quiet_until[idx] + 0.01 - discharge)
        gap = np.where(
            label,
            rng.uniform(0, 1, m) * (29.5 - earliest) + earliest,
            np.where(
                planned,
                rng.uniform(3.0, 28.0, m),
                31 + rng.exponential(GAP_DAYS * np.exp(-0.4 * P["frailty"][idx]), m),
            ),
        )
        next_start[idx] = np.where(died | hospice, np.nan, discharge + gap)
        kind[idx] = np.where(label, "readmit", np.where(planned, "planned", "new"))
        creat_first[idx] = np.where(np.isnan(creat_first[idx]), creat_now, creat_first[idx])
        hba1c_prev[idx] = hba1c_now
        quiet_until[idx] = np.where(label, quiet_until[idx], discharge + 30)
        last_severe[idx] = np.where(np.isin(primary, SEVERE), discharge, last_severe[idx])
        last_primary[idx] = primary
        last_discharge[idx] = discharge
        count[idx] += 1
    stays = pd.concat(records, ignore_index=True) if records else pd.DataFrame()
    return stays.sort_values(["patient", "stay"], kind="stable").reset_index(drop=True)
