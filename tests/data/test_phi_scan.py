"""Acceptance: after ingesting the Synthea sample, no PHI of any Patient appears anywhere.

Scans the raw bytes of every output file, the decoded tables as text (Parquet may compress
a value out of sight) and the command's own stdout/stderr.
"""

import gzip
import json
from datetime import date

import pandas as pd
import pytest

from .conftest import run_cli


def _phi(synthea_dir) -> set[str]:
    values: set[str] = set()
    with gzip.open(synthea_dir / "Patient.000.ndjson.gz", "rt") as fh:
        patients = [json.loads(line) for line in fh if line.strip()]
    for p in patients:
        for name in p.get("name", []):
            values.update([name.get("family", ""), *name.get("given", [])])
        for address in p.get("address", []):
            values.update(address.get("line", []))
        values.update(t["value"] for t in p.get("telecom", []))
        values.update(i["value"] for i in p.get("identifier", []))  # MRN, SSN, driver's licence, passport
        values.update(e["valueString"] for e in p.get("extension", []) if "mothersMaidenName" in e["url"])
        values.add(p["id"])
        born = date.fromisoformat(p["birthDate"])
        values.update(
            [
                born.isoformat(),
                born.strftime("%m/%d/%Y"),
                born.strftime("%Y%m%d"),
                born.strftime("%d.%m.%Y"),
                born.strftime("%Y/%m/%d"),
                born.strftime("%d/%m/%Y"),
                f"{born.month}/{born.day}/{born.year}",
            ]
        )
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
    assert leaks == []


def test_no_patient_phi_in_the_decoded_tables(synthea_dir, synthea_run):
    out, _ = synthea_run
    text = "\n".join(
        pd.read_parquet(out / f).to_csv(index=False) for f in ("index.parquet", "history.parquet")
    )
    assert len(text) > 10_000
    assert [v for v in _phi(synthea_dir) if v in text] == []


def test_no_patient_phi_in_the_command_output(synthea_dir, synthea_run):
    _, result = synthea_run
    output = result.stdout + result.stderr
    assert "index stays" in output
    assert [v for v in _phi(synthea_dir) if v in output] == []


def test_k_anonymity_on_ten_patients_is_counted_not_fatal(synthea_run):
    out, _ = synthea_run
    meta = json.loads((out / "manifest.json").read_text())
    report = meta["k_anonymity"]
    assert report["min_k"] == 5 and report["records_below_k_before"] > 0
    assert report["records_out"] + report["suppressed"] == report["records_in"]
    assert meta["exclusions"]["k_anonymity_suppressed"] == report["suppressed"]
    index = pd.read_parquet(out / "index.parquet")
    assert index.groupby(["age_band", "sex", "race", "zip3"])["patient_key"].nunique().min() >= 5
