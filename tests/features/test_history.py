"""Only events at or before the index discharge may feed a feature."""

import json

import numpy as np
import pandas as pd

from readmit.features import build, steps
from readmit.features.events import timelines
from readmit.features.history import aggregates
from training._frames import make_index


def _aggregates(row: dict) -> dict[str, float]:
    """The aggregates of one index row given as a dict (fields it lacks are missing)."""
    return {k: float(v[0]) for k, v in aggregates(timelines(pd.DataFrame([row]))).items()}


def _features(df, spec):
    events = build.timelines(df)
    seq, lengths = steps.vectors(events, 6, spec)
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
                    "prior_inpatient_365d": 7,  # recorded counts of a later stay must not reach a feature
                    "prior_emergency_365d": 7,
                    "prior_outpatient_365d": 7,
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
    events = timelines(pd.DataFrame([row]))
    assert events.los.tolist() == [2.0, 3.0]  # the seq-2 stay (after the index) is dropped


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
    agg = _aggregates(row)
    assert agg["hist_n_prior"] == 3 and agg["hist_n_inpatient"] == 2 and agg["hist_n_emergency"] == 1
    assert (
        agg["hist_inpatient_30d"] == 1 and agg["hist_inpatient_365d"] == 1
    )  # the day-4 stay is 396 days back
    assert agg["hist_emergency_90d"] == 1
    assert agg["hist_days_since_discharge"] == 15.0
    assert agg["lab_creatinine_n"] == 3
    assert np.isclose(agg["lab_creatinine_trend"], (2.4 - 1.2) / 0.3)


def test_an_undated_earlier_stay_beside_a_dated_index_counts_without_a_gap():
    # kept by its sequence number alone (no discharge day), so it has no gap to the index admission; the
    # windowed counts paired gaps with the wrong stays and raised (found by tests/serving/test_hostile_v2)
    history = [
        {"encounter_seq": 0, "encounter_class": "emergency", "admit_day": 300.0, "discharge_day": 301.0},
        {"encounter_seq": 1, "encounter_class": "inpatient", "los_days": 2.0},
        {"encounter_seq": 2, "encounter_class": "inpatient", "admit_day": 380.0, "discharge_day": 385.0},
    ]
    row = {
        "encounter_seq": 3,
        "admit_day": 400.0,
        "discharge_day": 406.0,
        "los_days": 6.0,
        "history": json.dumps(history),
    }
    agg = _aggregates(row)
    assert agg["hist_n_prior"] == 3 and agg["hist_n_inpatient"] == 2
    assert agg["hist_inpatient_30d"] == 1 and agg["hist_inpatient_365d"] == 1
    assert agg["hist_emergency_30d"] == 0 and agg["hist_emergency_365d"] == 1
    assert agg["hist_days_since_discharge"] == 15.0


def _stay(seq, admit, discharge):
    return {
        "encounter_seq": seq,
        "encounter_class": "inpatient",
        "admit_day": admit,
        "discharge_day": discharge,
        "los_days": 3.0 if admit is None else discharge - admit,
        "dx_codes": ["I50.9"],
        "med_codes": [],
        "proc_codes": [],
        "labs": {},
    }


def _crafted(index_admit, index_discharge):
    """Stay A (days 0-10) was readmitted by stay B (days 20-25); the index stay follows B."""
    history = [_stay(0, 0.0, 10.0), _stay(1, 20.0, 25.0)]
    return {
        "encounter_seq": 2,
        "admit_day": index_admit,
        "discharge_day": index_discharge,
        "los_days": index_discharge - index_admit,
        "dx_codes": "[]",
        "med_codes": "[]",
        "proc_codes": "[]",
        "labs": "{}",
        "history": json.dumps(history),
    }


def test_an_earlier_outcome_counts_only_once_its_30_day_window_closed_before_the_index_discharge():
    # index discharge on day 45: A's window (10-40) has closed, so "A was readmitted" is known;
    # B's window (25-55) is still open, although the index stay itself already readmitted B
    known = _aggregates(_crafted(38.0, 45.0))
    assert known["hist_prior_outcomes_known"] == 1.0
    assert known["hist_prior_readmitted"] == 1.0 and known["hist_last_known_readmitted"] == 1.0
    # index discharge on day 39: A's window is still open one day more, so nothing is known yet
    early = _aggregates(_crafted(33.0, 39.0))
    assert early["hist_prior_outcomes_known"] == 0.0
    assert np.isnan(early["hist_prior_readmitted"]) and np.isnan(early["hist_last_known_readmitted"])


def test_a_known_earlier_stay_without_readmission_is_a_known_zero():
    row = _crafted(80.0, 90.0)
    row["history"] = json.dumps([_stay(0, 0.0, 10.0)])  # nothing within 30 days of day 10
    out = _aggregates(row)
    assert (out["hist_prior_outcomes_known"], out["hist_prior_readmitted"]) == (1.0, 0.0)


def test_without_days_an_earlier_outcome_is_never_known():
    row = _crafted(np.nan, np.nan)  # UCI: order only
    row["history"] = json.dumps([_stay(0, None, None), _stay(1, None, None)])
    out = _aggregates(row)
    assert all(np.isnan(out[k]) for k in ("hist_prior_outcomes_known", "hist_prior_readmitted"))


def _undated(seq: int, inpatient: float | None = None) -> dict:
    item = {"encounter_seq": seq, "encounter_class": "inpatient", "los_days": 2.0, "dx_codes": ["250"]}
    if inpatient is not None:
        item |= {"prior_inpatient_365d": inpatient, "prior_emergency_365d": 0, "prior_outpatient_365d": 1}
    return item


def test_the_previous_stays_recorded_counts_come_from_the_latest_earlier_encounter_only():
    row = _crafted(np.nan, np.nan) | {"encounter_seq": 2}  # UCI: order only
    # shuffled, with a later encounter (seq 3, after the index) whose counts must not be read
    row["history"] = json.dumps([_undated(3, 9), _undated(1, 2), _undated(0, 5)])
    out = _aggregates(row)
    assert out["hist_last_prior_inpatient_365d"] == 2.0
    assert (out["hist_last_prior_emergency_365d"], out["hist_last_prior_outpatient_365d"]) == (0.0, 1.0)


def test_without_recorded_counts_the_previous_stays_counts_are_missing():
    row = _crafted(np.nan, np.nan) | {"encounter_seq": 2}
    row["history"] = json.dumps([_undated(0), _undated(1)])
    assert np.isnan(_aggregates(row)["hist_last_prior_inpatient_365d"])
