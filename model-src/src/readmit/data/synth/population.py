"""Patients: demographics, a latent frailty, chronic conditions and lab baselines."""

from __future__ import annotations

import numpy as np
import pandas as pd

from readmit.data.synth.drift import Scenario

RACES = np.array(["2106-3", "2054-5", "2028-9", "2131-1"])  # white, black, asian, other (OMB codes)
RACE_P = [0.66, 0.19, 0.06, 0.09]
# comorbidity -> (intercept, per decade over 60, per unit frailty)
CHRONIC = {
    "diabetes": (-0.9, 0.15, 0.4),
    "chf": (-2.4, 0.45, 0.6),
    "ckd": (-2.2, 0.4, 0.5),
    "copd": (-2.3, 0.3, 0.5),
    "hypertension": (-0.2, 0.4, 0.3),
    "afib": (-2.8, 0.5, 0.4),
}


def _sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def make(rng: np.random.Generator, n: int, drift: Scenario) -> pd.DataFrame:
    age0 = np.clip(rng.normal(drift.age_mean, drift.age_sd, n), 18, 99)
    frailty = rng.normal(0, 1, n)
    df = pd.DataFrame(
        {
            "age0": age0,
            "birth_offset_days": -(age0 * 365.2425) - rng.uniform(0, 1, n),  # birth, relative to START
            "female": rng.uniform(size=n) < 0.52,
            "race": rng.choice(RACES, n, p=RACE_P),
            "hispanic": rng.uniform(size=n) < 0.11,
            "frailty": frailty,
        }
    )
    decades = (age0 - 60) / 10
    for name, (a, b, c) in CHRONIC.items():
        df[name] = rng.uniform(size=n) < _sigmoid(a + b * decades + c * frailty)
    # Creatinine: a baseline, and for "renal decliners" a steady rise over time.
    # Baselines vary much more between patients than the yearly drift, so a single current value
    # says little about the trend: the trend is visible only across past stays.
    df["creat_base"] = (
        np.exp(rng.normal(np.log(1.0), 0.45, n)) + 1.2 * df["ckd"] + 0.1 * np.clip(frailty, 0, None)
    )
    decliner = rng.uniform(size=n) < 0.3
    df["creat_slope"] = np.where(decliner, rng.uniform(0.08, 0.25, n), rng.normal(0, 0.01, n))  # mg/dL a year
    df["hba1c_base"] = np.where(df["diabetes"], rng.normal(7.8, 1.5, n), rng.normal(5.4, 0.3, n))
    df["hba1c_drift"] = np.where(df["diabetes"], rng.normal(0, 0.6, n), 0.0)  # % a year
    df["ed_rate"] = 0.35 * np.exp(0.5 * frailty)  # emergency visits a year
    return df
