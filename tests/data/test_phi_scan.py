"""Acceptance: after ingesting the Synthea sample, no PHI of any Patient appears anywhere.

Scans the raw bytes of every output file, the decoded tables as text (Parquet may compress
a value out of sight) and the command's own stdout/stderr.
"""

import gzip
import json
import re
from datetime import date

import pandas as pd
import pytest

from .conftest import run_cli


def _date_forms(day: date) -> list[str]:
    return [
        day.isoformat(),
        day.strftime("%m/%d/%Y"),
        day.strftime("%Y%m%d"),
        day.strftime("%d.%m.%Y"),
        day.strftime("%Y/%m/%d"),
        day.strftime("%d/%m/%Y"),
        f"{day.month}/{day.day}/{day.year}",
    ]


def postal_codes(text: str, codes: set[str]) -> list[str]:
    """Full postal codes standing alone in `text` (not digits inside a longer number)."""
    return [c for c in codes if re.search(rf"(?<![\d.]){re.escape(c)}(?!\d)", text)]


def patients_of(export_dir) -> list[dict]:
    patients = []
    for path in sorted(export_dir.glob("Patient.*.ndjson*")):
        with gzip.open(path, "rt") if path.suffix == ".gz" else path.open() as fh:
            patients += [json.loads(line) for line in fh if line.strip()]
    return patients


def postal_codes_of(export_dir) -> set[str]:
    """Every full postal code (and its 5-digit part) in the export; "00000" names no place."""
    codes = {a.get("postalCode", "") for p in patients_of(export_dir) for a in p.get("address", [])}
    return {form for c in codes for form in (c, c[:5]) if form.strip("0-")}


def _phi(synthea_dir) -> set[str]:
    """Names, street lines, cities, phones, identifiers, birth and death dates (postal codes apart: they
    need a digit-boundary match, see `postal_codes`)."""
    values: set[str] = set()
    patients = patients_of(synthea_dir)
    for p in patients:
        for name in p.get("name", []):
            values.update([name.get("family", ""), *name.get("given", [])])
        for address in p.get("address", []):
            values.update(address.get("line", []))
            values.add(address.get("city", ""))
        values.update(t["value"] for t in p.get("telecom", []))
        values.update(i["value"] for i in p.get("identifier", []))  # MRN, SSN, driver's licence, passport
        values.update(e["valueString"] for e in p.get("extension", []) if "mothersMaidenName" in e["url"])
        values.add(p["id"])
        values.update(_date_forms(date.fromisoformat(p["birthDate"])))
        if died := p.get("deceasedDateTime"):
            values.update(_date_forms(date.fromisoformat(died[:10])))
    values.update(
        v.split(" ", 1)[1] for v in list(values) if " " in v and v[0].isdigit()
    )  # street w/o number
    values.discard("")
    assert len(values) > 100, "expected names, lines, phones, identifiers and birth dates of 13 patients"
    return values


@pytest.fixture(scope="module")
def synthea_run(synthea_dir, tmp_path_factory):
    out = tmp_path_factory.mktemp("phi") / "set"
    result = run_cli(
        "data", "ingest", "--source", "fhir", "--input", str(synthea_dir), "--out", str(out), "--min-k", "5"
    )
    assert result.returncode == 0, result.stderr
    return out, result


def test_no_patient_phi_in_any_output_file_bytes(synthea_dir, synthea_run):
    out, _ = synthea_run
    files = sorted(out.iterdir())
    assert {f.name for f in files} == {"index.parquet", "history.parquet", "manifest.json"}
    blobs = {f.name: f.read_bytes() for f in files}
    leaks = [(name, v) for v in _phi(synthea_dir) for name, blob in blobs.items() if v.encode() in blob]
    leaks += [
        (n, c)
        for n, b in blobs.items()
        for c in postal_codes(b.decode("latin-1"), postal_codes_of(synthea_dir))
    ]
    assert leaks == []


def test_no_patient_phi_in_the_decoded_tables(synthea_dir, synthea_run):
    out, _ = synthea_run
    text = "\n".join(
        pd.read_parquet(out / f).to_csv(index=False) for f in ("index.parquet", "history.parquet")
    )
    assert len(text) > 10_000
    assert [v for v in _phi(synthea_dir) if v in text] == []
    assert postal_codes(text, postal_codes_of(synthea_dir)) == []


def test_no_patient_phi_in_the_command_output(synthea_dir, synthea_run):
    _, result = synthea_run
    output = result.stdout + result.stderr
    assert "index stays" in output
    assert [v for v in _phi(synthea_dir) if v in output] == []
    assert postal_codes(output, postal_codes_of(synthea_dir)) == []


def test_k_anonymity_on_ten_patients_is_counted_not_fatal(synthea_run):
    out, _ = synthea_run
    meta = json.loads((out / "manifest.json").read_text())
    report = meta["k_anonymity"]
    assert report["min_k"] == 5 and report["records_below_k_before"] > 0
    assert report["records_out"] + report["suppressed"] == report["records_in"]
    assert meta["exclusions"]["k_anonymity_suppressed"] == report["suppressed"]
    index = pd.read_parquet(out / "index.parquet")
    assert index.groupby(["age_band", "sex", "race", "zip3"])["patient_key"].nunique().min() >= 5
