"""A hook's prefetch becomes the row ingest writes for the same stay, through ingest's own code and key."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime

import pandas as pd
import pytest

from data._ingest_path import ingest_path
from readmit.data import window
from readmit.errors import InputError
from readmit.traffic import prefetch
from traffic.test_cds import hook_requests

KEY = b"prefetch-test-key-0123456789"
# Every column of every Synthea stay against ingest of the whole export: tests/traffic/test_skew.py.


def test_only_the_year_before_the_admission_is_used(synthea_dir):
    request = max(hook_requests(synthea_dir), key=lambda h: len(h["prefetch"]["encounters"]["entry"]))
    context = request["context"]
    row = prefetch.stay(request["prefetch"], context["patientId"], context["encounterId"], KEY).index.iloc[0]
    history = json.loads(row["history"])
    assert history and all(row["admit_day"] - h["discharge_day"] <= window.HISTORY_DAYS for h in history)
    assert any(row["admit_day"] - h["admit_day"] > 300 for h in history)
    assert all(h["discharge_day"] <= row["admit_day"] for h in history)


def test_a_later_encounter_in_the_prefetch_is_not_history(synthea_dir):
    request = copy.deepcopy(hook_requests(synthea_dir)[0])
    context = request["context"]
    before = prefetch.stay(request["prefetch"], context["patientId"], context["encounterId"], KEY).index
    future = copy.deepcopy(request["prefetch"]["encounter"])
    future["id"] = "later-stay"
    future["period"] = {"start": "2099-01-01T00:00:00Z", "end": "2099-01-05T00:00:00Z"}
    request["prefetch"]["encounters"]["entry"].append({"resource": future})
    after = prefetch.stay(request["prefetch"], context["patientId"], context["encounterId"], KEY).index
    assert after["history"].iloc[0] == before["history"].iloc[0]


def test_the_served_row_is_ingests_row_for_every_synthea_stay(synthea_dir):
    """The whole request as bytes (read lazily, only the year decoded) gives, column by column and
    exactly, the row ingest's pandas path builds from the same prefetch decoded whole."""
    now = datetime(2030, 1, 1, tzinfo=UTC)
    compared = 0
    for request in hook_requests(synthea_dir):
        context = request["context"]
        ids = context["patientId"], context["encounterId"]
        found, _ = prefetch.rows(request["prefetch"], *ids, now)
        want, _ = ingest_path(found, ids[1], KEY)
        hook = prefetch.read(json.dumps(request).encode())
        lazy, _ = prefetch.rows(hook.prefetch, *ids, now)
        assert lazy == found
        try:
            got = prefetch.stay(hook.prefetch, *ids, KEY, now=now).index
        except prefetch.Unscorable:
            assert want.empty or found["Encounter"][0]["class"] != "IMP"
            continue
        pd.testing.assert_frame_equal(got, want, check_exact=True)
        compared += 1
    assert compared >= 10


def test_a_resource_outside_the_year_is_placed_not_parsed(synthea_dir):
    request = max(hook_requests(synthea_dir), key=lambda h: len(h["prefetch"]["encounters"]["entry"]))
    context = request["context"]
    ids = context["patientId"], context["encounterId"]
    before = prefetch.stay(request["prefetch"], *ids, KEY).index
    old = min(request["prefetch"]["encounters"]["entry"], key=lambda e: e["resource"]["period"]["start"])
    old["resource"]["class"] = 7  # malformed, but ten years out of the window
    after = prefetch.stay(prefetch.read(json.dumps(request).encode()).prefetch, *ids, KEY).index
    pd.testing.assert_frame_equal(after, before)
    old["resource"]["subject"] = "Patient/x"  # cannot be placed: a 400 naming the entry
    with pytest.raises(InputError, match=r"prefetch\.encounters\.entry\[\d+\]"):
        prefetch.stay(prefetch.read(json.dumps(request).encode()).prefetch, *ids, KEY)


@pytest.mark.parametrize(
    ("body", "words"),
    [(b"{not json", "is not JSON"), (b"[1, 2]", "not a CDS Hooks request object"), (b'"x"', "not a CDS")],
)
def test_a_body_that_is_no_hook_request_is_an_input_error(body, words):
    with pytest.raises(InputError, match=words):
        prefetch.read(body)


@pytest.mark.parametrize("value", [b"null", b"[1]", b'"patient"'])
def test_a_prefetch_that_is_no_object_is_missing(value):
    hook = prefetch.read(b'{"hook": "encounter-discharge", "prefetch": ' + value + b"}")
    with pytest.raises(prefetch.MissingPrefetch):
        prefetch.stay(hook.prefetch, "p", "e", KEY)
