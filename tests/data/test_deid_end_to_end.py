"""De-identification is applied by ingest, not only defined: a tiny hand-written FHIR export through
`readmit data ingest` at --min-k 1 (no suppression hides a mistake), checked value by value."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
import pytest

from readmit.cli import main
from readmit.data import deid, ingest

from .conftest import KEY

# Ages are counted on the admission date: 95 at the first stay, 30 (a band boundary) at the second.
PATIENTS = [
    {"id": "pat-old", "birthDate": "1924-06-01", "postalCode": "03601", "city": "Claremont"},
    {"id": "pat-ks", "birthDate": "1989-12-15", "postalCode": "66801-1234", "city": "Emporia"},
]
ENCOUNTERS = [  # (patient, encounter id, class, start, end)
    ("pat-old", "enc-old-1", "IMP", "2019-07-10T08:00:00Z", "2019-07-15T12:00:00Z"),
    ("pat-old", "enc-old-2", "AMB", "2020-06-01T09:00:00Z", "2020-06-01T10:00:00Z"),
    ("pat-ks", "enc-ks-1", "IMP", "2020-01-10T08:00:00Z", "2020-01-14T12:00:00Z"),
    ("pat-ks", "enc-ks-2", "IMP", "2020-02-01T08:00:00Z", "2020-02-05T12:00:00Z"),
    ("pat-ks", "enc-ks-3", "AMB", "2020-06-01T09:00:00Z", "2020-06-01T10:00:00Z"),
]


def _patient(p: dict) -> dict:
    return {
        "resourceType": "Patient",
        "id": p["id"],
        "gender": "female",
        "birthDate": p["birthDate"],
        "name": [{"family": "Whitfield", "given": ["Ada"]}],
        "telecom": [{"system": "phone", "value": "555-201-3344"}],
        "address": [
            {"line": ["12 Mill Road"], "city": p["city"], "state": "NH", "postalCode": p["postalCode"]}
        ],
    }


def _encounter(patient: str, enc_id: str, cls: str, start: str, end: str) -> dict:
    return {
        "resourceType": "Encounter",
        "id": enc_id,
        "status": "finished",
        "class": {"system": "http://terminology.hl7.org/CodeSystem/v3-ActCode", "code": cls},
        "subject": {"reference": f"Patient/{patient}"},
        "period": {"start": start, "end": end},
    }


def write_tiny_export(folder: Path) -> Path:
    folder.mkdir(parents=True)
    (folder / "Patient.000.ndjson").write_text("".join(json.dumps(_patient(p)) + "\n" for p in PATIENTS))
    (folder / "Encounter.000.ndjson").write_text(
        "".join(json.dumps(_encounter(*e)) + "\n" for e in ENCOUNTERS)
    )
    return folder


@pytest.fixture
def ingested(tmp_path, env_key) -> Path:
    out = tmp_path / "set"
    main(["data", "ingest", "--source", "fhir", "--input", str(write_tiny_export(tmp_path / "export")),
          "--out", str(out), "--min-k", "1"])  # fmt: skip
    return out


def _stay(index: pd.DataFrame, encounter_id: str) -> pd.Series:
    rows = index[index["encounter_key"] == deid.pseudonym(KEY, encounter_id)]
    assert len(rows) == 1, f"{encounter_id} is not exactly one index row"
    return rows.iloc[0]


def test_a_95_year_old_is_reported_as_90_in_band_90_plus_with_restricted_zip3(ingested):
    stay = _stay(pd.read_parquet(ingested / "index.parquet"), "enc-old-1")
    assert (stay["age"], stay["age_band"], stay["zip3"]) == (90, "90+", "000")


def test_a_zip_plus_4_keeps_its_first_three_digits_and_a_30_year_old_is_in_30_39(ingested):
    index = pd.read_parquet(ingested / "index.parquet")
    first, second = _stay(index, "enc-ks-1"), _stay(index, "enc-ks-2")
    assert (first["age"], first["age_band"], first["zip3"]) == (30, "30-39", "668")
    assert (second["age"], second["zip3"], second["label"]) == (30, "668", 0)
    assert len(index) == 3 and set(index["zip3"]) == {"000", "668"}


def test_no_full_postal_code_city_or_birth_date_anywhere_in_the_outputs(ingested):
    manifest = (ingested / "manifest.json").read_text()
    tables = "\n".join(
        pd.read_parquet(ingested / name).to_csv(index=False) for name in ("index.parquet", "history.parquet")
    )
    raw = b"".join((ingested / name).read_bytes() for name in ("index.parquet", "history.parquet"))
    for text in (manifest, tables, raw.decode("latin-1")):
        assert re.findall(r"(?<!\d)(?:03601|66801)(?!\d)", text) == []
        assert [
            v for v in ("Claremont", "Emporia", "1924-06-01", "1989-12-15", "Whitfield") if v in text
        ] == []
    assert json.loads(manifest)["k_anonymity"]["min_k"] == 1


@pytest.mark.parametrize(
    ("age", "band"),
    [(17, "0-17"), (18, "18-29"), (29, "18-29"), (30, "30-39"), (39, "30-39"), (40, "40-49"), (89, "80-89")],
)
def test_age_band_boundaries(age, band):
    assert deid.age_band(age) == band


@pytest.mark.parametrize(
    ("postal", "expected"),
    [
        ("03599", "035"),
        ("03601", "000"),
        ("89301", "000"),
        ("1234", "000"),
        ("12345", "123"),
        ("1 2 3 4 5", "123"),
    ],
)
def test_zip3_needs_five_digits_and_blanks_each_restricted_prefix(postal, expected):
    assert deid.zip3(postal) == expected


@pytest.mark.parametrize("prefix", sorted(deid.RESTRICTED_ZIP3))
def test_every_restricted_zip3_becomes_000(prefix):
    assert deid.zip3(prefix + "01") == "000"


def test_restricted_list_is_the_safe_harbor_list():
    assert len(deid.RESTRICTED_ZIP3) == 17 and {"036", "893"} <= deid.RESTRICTED_ZIP3


def test_pseudonyms_are_the_hmac_of_the_text_of_each_value():
    key = b"k" * 32
    assert deid.pseudonyms(key, [7, "é"]) == [deid.pseudonym(key, "7"), deid.pseudonym(key, "é")]
    assert len(deid.pseudonym(key, "x")) == 64


def test_a_key_of_exactly_16_bytes_is_accepted_after_trimming(monkeypatch, tmp_path):
    monkeypatch.setenv(deid.KEY_ENV, " " + "k" * 16 + "\n")
    assert deid.load_key(None) == b"k" * 16
    monkeypatch.setenv(deid.KEY_ENV, "k" * 15)
    with pytest.raises(Exception, match="shorter than 16 bytes"):
        deid.load_key(None)
    (tmp_path / "key").write_bytes(b"\n" + b"f" * 16 + b"\n")
    assert deid.load_key(tmp_path / "key") == b"f" * 16


def test_the_missing_key_message_says_exactly_how_to_provide_one(monkeypatch):
    monkeypatch.delenv(deid.KEY_ENV, raising=False)
    with pytest.raises(Exception) as err:
        deid.load_key(None)
    assert str(err.value) == (
        "pseudonym key missing or shorter than 16 bytes; set READMIT_PSEUDONYM_KEY "
        "or pass --key-file PATH (e.g. from `openssl rand -hex 32`)"
    )


def test_only_inpatient_stays_are_index_candidates_and_the_manifest_names_the_source(tmp_path):
    index, _, meta = ingest.build("fhir", write_tiny_export(tmp_path / "export"), KEY, min_k=1)
    # 3 of the 5 encounters are inpatient; the 2 ambulatory ones are history only
    assert meta["rows_in"]["index_candidates"] == 3
    assert meta["source"] == "fhir" and set(index["source"]) == {"fhir"}
