"""`readmit data ingest --source fhir` on NDJSON lines mutated from the real Synthea sample: fields dropped,
types swapped, dates broken, bytes inserted. Whatever the input, the contract holds, and an ingest that
succeeds wrote a training set that `readmit data validate` accepts (ingest keeps the schema it writes)."""

from __future__ import annotations

import functools
import gzip
import json
import re
import tempfile
from pathlib import Path

import pytest
from hypothesis import event, given
from hypothesis import strategies as st

from readmit import paths

from .conftest import assert_contract, fuzz, leftovers, run

KEY = {"READMIT_PSEUDONYM_KEY": "hostile-suite-key-0123456789abcdef"}
TYPES = ("Patient", "Encounter", "Condition", "MedicationRequest", "Procedure", "Observation")
DATE = re.compile(r"^\d{4}-\d{2}")


def _observations(encounters: list[str]) -> list[str]:
    """The sample has no Observation file: a few creatinine results on its first inpatient stays."""
    out = []
    for line in encounters:
        enc = json.loads(line)
        if enc.get("class", {}).get("code") == "IMP" and len(out) < 6:
            obs = {
                "resourceType": "Observation",
                "id": f"obs-{len(out)}",
                "subject": enc["subject"],
                "encounter": {"reference": f"urn:uuid:{enc['id']}"},
                "code": {"coding": [{"system": "http://loinc.org", "code": "2160-0"}]},
                "effectiveDateTime": enc["period"]["start"],
                "valueQuantity": {"value": 1.1 + len(out) / 10, "unit": "mg/dL"},
            }
            out.append(json.dumps(obs))
    return out


@functools.cache
def _lines(directory: Path) -> dict[str, list[str]]:
    lines = {
        t: gzip.decompress((directory / f"{t}.000.ndjson.gz").read_bytes()).decode().splitlines()
        for t in TYPES
        if (directory / f"{t}.000.ndjson.gz").is_file()
    }
    lines["Observation"] = _observations(lines["Encounter"])
    return lines


@pytest.fixture(scope="module")
def sample() -> Path:
    """The sample's folder. Its lines are never a test argument: Hypothesis would print them, and the
    names and addresses in them are (synthetic) PHI that must not reach test output either."""
    directory = paths.synthea_sample()
    if not directory.is_dir():
        pytest.skip(f"Synthea sample not found at {directory} (set READMIT_SYNTHEA_DATA)")
    return directory


class Mutation:
    """One changed line; printed by what was done, never by content (PHI)."""

    def __init__(self, rtype: str, index: int, kind: str, new: str | bytes):
        self.rtype, self.index, self.kind, self.new = rtype, index, kind, new

    def __repr__(self) -> str:
        return f"Mutation({self.rtype} line {self.index + 1}: {self.kind})"


def _paths(value, prefix=()):
    """Every path (tuple of keys/indices) inside a JSON value, the root excluded."""
    if isinstance(value, dict):
        items = value.items()
    elif isinstance(value, list):
        items = enumerate(value)
    else:
        return []
    out = []
    for key, child in items:
        out.append((*prefix, key))
        out += _paths(child, (*prefix, key))
    return out


def _get(doc, path):
    for key in path:
        doc = doc[key]
    return doc


def _set(doc, path, value):
    _get(doc, path[:-1])[path[-1]] = value


JUNK = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**20), max_value=10**20),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=8),
    st.lists(st.integers(), max_size=2),
    st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
)
BROKEN_DATES = st.one_of(
    st.sampled_from(
        [
            "",
            "2020-13-01",
            "2020-02-30T00:00:00Z",
            "0001-01-01",
            "9999-12-31T23:59:59Z",
            "yesterday",
            "2020-01-01T25:00:00Z",
            "1850-01-01",
            "2300-01-01",
            "2020-01-01T00:00:00+99:00",
            "2020",
        ]
    ),
    st.text(max_size=12),
)


@st.composite
def mutation(draw, lines: dict[str, list[str]]) -> Mutation:
    rtype = draw(st.sampled_from(sorted(lines)))
    index = draw(st.integers(0, len(lines[rtype]) - 1))
    raw = lines[rtype][index]
    doc = json.loads(raw)
    kind = draw(st.sampled_from(["drop", "swap", "date", "bytes", "truncate", "scalar", "swap_period"]))
    event(f"mutation: {kind}")
    every = _paths(doc)
    if kind == "drop" and every:
        path = draw(st.sampled_from(every))
        parent = _get(doc, path[:-1])
        del parent[path[-1]]
        return Mutation(rtype, index, kind, json.dumps(doc))
    if kind == "swap" and every:
        _set(doc, draw(st.sampled_from(every)), draw(JUNK))
        return Mutation(rtype, index, kind, json.dumps(doc))
    dates = [p for p in every if isinstance(_get(doc, p), str) and DATE.match(_get(doc, p))]
    if kind == "date" and dates:
        _set(doc, draw(st.sampled_from(dates)), draw(BROKEN_DATES))
        return Mutation(rtype, index, kind, json.dumps(doc))
    if kind == "swap_period" and isinstance(doc.get("period"), dict) and "end" in doc["period"]:
        doc["period"]["start"], doc["period"]["end"] = doc["period"]["end"], doc["period"]["start"]
        return Mutation(rtype, index, kind, json.dumps(doc))
    if kind == "truncate":
        return Mutation(rtype, index, kind, raw[: draw(st.integers(0, max(0, len(raw) - 1)))])
    if kind == "scalar":
        return Mutation(rtype, index, kind, json.dumps(draw(JUNK)))
    data = raw.encode()
    at = draw(st.integers(0, len(data)))
    return Mutation(rtype, index, "bytes", data[:at] + draw(st.binary(min_size=1, max_size=8)) + data[at:])


def _write_export(directory: Path, source: Path, lines: dict[str, list[str]], changes) -> Path:
    export = directory / "export"
    export.mkdir()
    edited = {m.rtype for m in changes}
    for path in source.glob("*.ndjson.gz"):
        if path.name.split(".")[0] not in edited:
            (export / path.name).symlink_to(path)
    for rtype in edited | {"Observation"}:
        body = [ln.encode() for ln in lines[rtype]]
        for m in changes:
            if m.rtype == rtype:
                body[m.index] = m.new if isinstance(m.new, bytes) else m.new.encode()
        (export / f"{rtype}.000.ndjson").write_bytes(b"\n".join(body) + b"\n")
    return export


def _ingest_holds_the_contract(source: Path, changes: list[Mutation]) -> None:
    lines = _lines(source)
    with tempfile.TemporaryDirectory() as tmp:
        export = _write_export(Path(tmp), source, lines, changes)
        out = Path(tmp) / "set"
        result = run(["data", "ingest", "--source", "fhir", "--input", str(export), "--out", str(out)], KEY)
        assert_contract(result, [str(export)], codes=(0, 2))
        assert leftovers(Path(tmp), {"export", "set"} if result.code == 0 else {"export"}) == set()
        if result.code == 0:
            checked = run(["data", "validate", str(out)])
            assert checked.code == 0, checked.err  # ingest never writes what the schema forbids


def test_the_unchanged_sample_ingests_and_validates(sample):
    _ingest_holds_the_contract(sample, [])


@fuzz(40)
@given(data=st.data())
def test_mutated_ndjson_never_breaks_the_contract(sample, data):
    changes = [data.draw(mutation(_lines(sample))) for _ in range(data.draw(st.integers(1, 3)))]
    _ingest_holds_the_contract(sample, changes)
