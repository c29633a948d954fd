"""Only events at or before the index discharge may feed a feature."""

import json

import numpy as np
import pandas as pd

from readmit.features import build
from readmit.features.history import aggregates, timeline
from training._frames import make_index


def _features(df, spec):
    events = build.timelines(df)
    seq, lengths = build.steps(df, events, 6, spec)
    return build.tabular(df, spec, events), seq, lengths


def _with_future(df: pd.DataFrame, rng) -> pd.DataFrame:
    """Add events after each index discharge (in history and in labs), in shuffled order."""
    out = df.copy()
    histories, labs = [], []
    for row in out.itertuples():
        history = json.loads(row.history)
        for k in range(3):
            start = row.discharge_day + float(rng.integers(0, 100))
            history.append(
                {
                    "encounter_seq": row.encounter_seq + 1 + k,
                    "encounter_class": "inpatient",
                    "admit_day": start,
                    "discharge_day": start + 5.0 + k,
                    "los_days": 5.0 + k,
                    "dx_codes": ["I50.9"],
                    "med_codes": ["insulin"],
                    "proc_codes": [],
                    "labs": {"creatinine": [[start, 9.0]]},
                }
            )
        rng.shuffle(history)
        histories.append(json.dumps(history))
        lab = json.loads(row.labs)
        lab.setdefault("creatinine", []).append([row.discharge_day + 1.0, 7.5])
        lab["hba1c"] = [[row.discharge_day + 2.0, 12.0]]
        labs.append(json.dumps(lab))
    out["history"], out["labs"] = histories, labs
    return out


def test_events_after_the_index_discharge_change_no_feature():
    df = make_index(60, seed=3)
    spec = build.fit_spec(df)
    before = _features(df, spec)
    after = _features(_with_future(df, np.random.default_rng(0)), spec)
    pd.testing.assert_frame_equal(before[0], after[0])
    np.testing.assert_array_equal(before[1], after[1])
    np.testing.assert_array_equal(before[2], after[2])


def test_without_days_later_encounters_are_excluded_by_sequence_number():
    row = {
        "encounter_seq": 1,
        "admit_day": np.nan,
        "discharge_day": np.nan,
        "los_days": 3.0,
        "dx_codes": '["428.0"]',
        "med_codes": "[]",
        "proc_codes": "[]",
        "labs": "{}",
        "history": json.dumps(
            [
                {"encounter_seq": 0, "encounter_class": "inpatient", "los_days": 2.0, "dx_codes": ["250"]},
                {"encounter_seq": 2, "encounter_class": "inpatient", "los_days": 9.0, "dx_codes": ["250"]},
            ]
        ),
    }
    events = timeline(row)
    assert [e["los"] for e in events] == [2.0, 3.0]  # the seq-2 stay (after the index) is dropped


def test_windowed_counts_recency_and_lab_trend():
    history = [
        {
            "encounter_seq": 0,
            "encounter_class": "inpatient",
            "admit_day": 0.0,
            "discharge_day": 4.0,
            "los_days": 4.0,
            "labs": {"creatinine": [[1.0, 1.2]]},
        },
        {
            "encounter_seq": 1,
            "encounter_class": "emergency",
            "admit_day": 330.0,
            "discharge_day": 330.5,
            "los_days": 0.5,
        },
        {
            "encounter_seq": 2,
            "encounter_class": "inpatient",
            "admit_day": 380.0,
            "discharge_day": 385.0,
            "los_days": 5.0,
            "labs": {"creatinine": [[381.0, 1.8]]},
        },
    ]
    row = {
        "encounter_seq": 3,
        "admit_day": 400.0,
        "discharge_day": 406.0,
        "los_days": 6.0,
        "dx_codes": "[]",
        "med_codes": "[]",
        "proc_codes": "[]",
        "history": json.dumps(history),
        "labs": json.dumps({"creatinine": [[401.0, 2.4]]}),
    }
    agg = aggregates(timeline(row))
    assert agg["hist_n_prior"] == 3 and agg["hist_n_inpatient"] == 2 and agg["hist_n_emergency"] == 1
    assert (
        agg["hist_inpatient_30d"] == 1 and agg["hist_inpatient_365d"] == 1
    )  # the day-4 stay is 396 days back
    assert agg["hist_emergency_90d"] == 1
    assert agg["hist_days_since_discharge"] == 15.0
    assert agg["lab_creatinine_n"] == 3
    assert np.isclose(agg["lab_creatinine_trend"], (2.4 - 1.2) / 0.3)
