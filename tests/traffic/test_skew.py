"""No training/serving skew: for every index stay that FHIR ingest writes from the Synthea sample, the CDS
service builds, from a discharge hook request made from the same export, the same row (every column of
INDEX_COLUMNS, the history included) and so the same feature vectors. Both keep the year before the
admission (readmit.data.window); the crafted cases below pin that window's edges without ../shared."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime

import numpy as np
import pandas as pd
import pytest

from data._ingest_path import frames, ingest_path
from data.test_fhir_stay import LIVE, _enc, stay
from readmit.data import fhir_ingest, fhir_read, fhir_stay, tables, window
from readmit.features import build, events, steps
from readmit.schema import INDEX_COLUMNS
from readmit.traffic import prefetch
from traffic.test_cds import hook_requests

KEY = b"skew-test-key-0123456789abcdef"
NOW = datetime(2030, 1, 1, tzinfo=UTC)  # only for a stay without an end; every index stay has one


@pytest.fixture(scope="module")
def ingested(synthea_dir) -> pd.DataFrame:
    """Ingest's index table of the sample (before k-anonymity, which recodes quasi-identifiers for
    release and is not part of what a row says about a stay)."""
    frames, _ = fhir_read.read_export(synthea_dir)
    enc, _ = fhir_ingest.to_encounters(frames)
    enc["source"] = "fhir"
    index, _ = tables.build(enc, KEY)
    return index


@pytest.fixture(scope="module")
def served(synthea_dir, ingested) -> pd.DataFrame:
    """The CDS service's row for each of ingest's index stays, in the same order."""
    rows = {}
    for request in hook_requests(synthea_dir):
        body = prefetch.read(json.dumps(request).encode())
        context = request["context"]
        try:
            found = prefetch.stay(body.prefetch, context["patientId"], context["encounterId"], KEY, now=NOW)
        except prefetch.Unscorable:
            continue
        row = found.index
        rows[row["encounter_key"].iloc[0]] = row
    missing = [k for k in ingested["encounter_key"] if k not in rows]
    assert not missing, f"{len(missing)} index stays got no served row"
    return pd.concat([rows[k] for k in ingested["encounter_key"]], ignore_index=True)


def test_every_index_stay_is_served_with_ingests_row(ingested, served):
    assert len(ingested) >= 40  # the sample's 49 stays (no exclusion may hide the comparison)
    for column in INDEX_COLUMNS:
        if column == "label":
            continue  # the future of a stay being discharged now is unknown (0)
        pd.testing.assert_series_equal(served[column], ingested[column], check_exact=True, obj=column)


def test_history_reaches_back_one_year_only_on_both_sides(ingested):
    longest = max(len(json.loads(h)) for h in ingested["history"])
    assert 0 < longest < 200  # the sample's richest patient has ~700 encounters over decades
    for row in ingested.itertuples():
        for item in json.loads(row.history):
            assert row.admit_day - item["discharge_day"] <= window.HISTORY_DAYS + 1e-9


def test_every_index_stay_has_ingests_feature_vectors(ingested, served):
    spec = build.fit_spec(ingested)
    want, got = events.timelines(ingested), events.timelines(served)
    pd.testing.assert_frame_equal(
        build.tabular(served, spec, got), build.tabular(ingested, spec, want), check_exact=True
    )
    for max_steps in (6, 64):
        mine, theirs = steps.vectors(got, max_steps, spec), steps.vectors(want, max_steps, spec)
        for a, b in zip(mine, theirs, strict=True):
            np.testing.assert_array_equal(a, b)


# The window's edges, on a crafted record (no ../shared): the live stay is admitted 2024-03-10T08:00Z.
EDGES = {
    "a_year_to_the_second": ("2023-03-01T08:00:00Z", "2023-03-11T08:00:00Z"),  # ended 365 d before: in
    "just_over_a_year": ("2023-03-01T08:00:00Z", "2023-03-11T07:59:59Z"),  # one second earlier: out
    "begun_before_ended_inside": ("2022-12-01T00:00:00Z", "2023-06-01T00:00:00Z"),  # in
    "overlapping_the_admission": ("2024-03-01T00:00:00Z", "2024-03-11T00:00:00Z"),  # in, not history
    "open_begun_inside": ("2024-01-01T00:00:00Z", None),  # no end, begun in the year: in, not history
    "open_begun_before": ("2022-01-01T00:00:00Z", None),  # no end, begun before the year: out
    "same_start": ("2024-03-10T08:00:00Z", "2024-03-10T09:00:00Z"),  # not begun before: out
    "in_the_future": ("2024-06-01T00:00:00Z", "2024-06-05T00:00:00Z"),  # out
}
ADMISSION = datetime(2024, 3, 10, 8, tzinfo=UTC)


def test_the_window_edges():
    got = {
        name: window.in_window(
            fhir_stay.parse_time(start, "", ""), fhir_stay.parse_time(end, "", ""), ADMISSION
        )
        for name, (start, end) in EDGES.items()
    }
    assert got == {
        "a_year_to_the_second": True,
        "just_over_a_year": False,
        "begun_before_ended_inside": True,
        "overlapping_the_admission": True,
        "open_begun_inside": True,
        "open_begun_before": False,
        "same_start": False,
        "in_the_future": False,
    }


def _edge_record() -> dict[str, list[dict]]:
    found = stay()
    found["Encounter"] = found["Encounter"][:1] + [
        _enc(name, start, end, cls="AMB" if end is None else "IMP") for name, (start, end) in EDGES.items()
    ]
    found["Encounter"].append(_enc("first", "2001-01-01T00:00:00Z", "2001-01-02T00:00:00Z"))
    return found


def test_the_edges_give_the_same_row_in_ingest_and_in_the_service():
    found = _edge_record()
    want, status = ingest_path(copy.deepcopy(found), LIVE, KEY)
    row, _ = fhir_stay.index_row(copy.deepcopy(found), LIVE, KEY)
    assert status == "index"
    pd.testing.assert_frame_equal(fhir_stay.frame(row), want, check_exact=True)
    history = json.loads(row["history"])
    # the window holds 4 encounters before the stay; 2 of them had ended by the admission
    assert row["encounter_seq"] == 4
    assert len(history) == 2 and [h["encounter_seq"] for h in history] == [0, 1]
    assert row["admit_day"] > 8000  # day 0 is the patient's first encounter (2001), as in ingest


def test_a_whole_export_and_the_service_agree_on_the_edges():
    """The same record through read_export's frames with ingest's cohort rules (not the live-stay path)
    and through the CDS prefetch: the same row."""
    found = _edge_record()
    enc, _ = fhir_ingest.to_encounters(frames(found))
    enc["source"] = "fhir"
    windows = dict(zip(enc["encounter_id"], enc["history_ids"], strict=True))
    assert windows[LIVE] == {
        "a_year_to_the_second",
        "begun_before_ended_inside",
        "overlapping_the_admission",
        "open_begun_inside",
    }
    index, _ = tables.build(enc, KEY)
    row, _ = fhir_stay.index_row(copy.deepcopy(found), LIVE, KEY)
    mine = index[index["encounter_key"] == row["encounter_key"]].reset_index(drop=True)
    served = fhir_stay.frame(row)
    for column in INDEX_COLUMNS:
        if column != "label":
            pd.testing.assert_series_equal(served[column], mine[column], check_exact=True, obj=column)
