import pandas as pd

from readmit.data import cohort

T0 = pd.Timestamp("2022-01-01T00:00:00Z")


def _enc(rows):
    """rows: (encounter_id, class, start_day, end_day|None, disposition, planned)."""
    df = pd.DataFrame(rows, columns=["encounter_id", "encounter_class", "s", "e", "disposition", "planned"])
    df["patient_id"] = "p1"
    df["start"] = T0 + pd.to_timedelta(df["s"], unit="D")
    df["end"] = T0 + pd.to_timedelta(df["e"].astype(float), unit="D")
    return df


def test_unplanned_admission_within_30_days_is_a_readmission():
    enc = _enc([("a", "inpatient", 0, 3, "home", False), ("b", "inpatient", 20, 25, "home", False)])
    assert cohort.label(enc).tolist() == [1, 0]


def test_planned_readmission_does_not_count():
    enc = _enc([("a", "inpatient", 0, 3, "home", False), ("b", "inpatient", 10, 12, "home", True)])
    assert cohort.label(enc).tolist() == [0, 0]


def test_admission_after_more_than_30_days_or_an_emergency_visit_does_not_count():
    enc = _enc(
        [
            ("a", "inpatient", 0, 3, "home", False),
            ("b", "inpatient", 33.5, 36, "home", False),
            ("c", "emergency", 5, 5.2, "home", False),
        ]
    )
    assert cohort.label(enc).tolist() == [0, 0, 0]


def test_exclusion_reasons():
    enc = _enc(
        [
            ("ok", "inpatient", 0, 3, "home", False),
            ("dead", "inpatient", 40, 42, "unknown", False),
            ("exp", "inpatient", 80, 82, "death", False),
            ("hosp", "inpatient", 120, 121, "hospice", False),
            ("late", "inpatient", 190, 195, "home", False),
            ("open", "inpatient", 198, None, "unknown", False),
            ("amb", "outpatient", 5, 5.1, "unknown", False),
        ]
    )
    deceased = pd.Series(T0 + pd.Timedelta(days=41), index=enc.index).where(enc["encounter_id"] == "dead")
    status = cohort.status(enc, deceased, data_end=T0 + pd.Timedelta(days=200))
    assert status.tolist() == [
        "index",
        "death",
        "death",
        "hospice",
        "followup_past_data_end",
        "no_discharge",
        "",
    ]
