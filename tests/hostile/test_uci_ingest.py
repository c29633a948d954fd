"""`readmit data ingest --source uci` on small CSVs built from real rows of the UCI zip: rows with wrong
column counts, unknown categories, non-numeric numbers, other encodings and stray bytes. The contract holds,
and an ingest that succeeds wrote a training set that `readmit data validate` accepts."""

from __future__ import annotations

import csv
import io
import tempfile
import zipfile
from pathlib import Path

import pytest
from hypothesis import event, given
from hypothesis import strategies as st

from readmit import paths
from readmit.data.uci_read import CSV_NAME, INTEGER

from .conftest import assert_contract, fuzz, leftovers, run

KEY = {"READMIT_PSEUDONYM_KEY": "hostile-suite-key-0123456789abcdef"}
CATEGORIES = ("race", "gender", "age", "A1Cresult", "max_glu_serum", "metformin", "insulin", "readmitted")


@pytest.fixture(scope="module")
def rows() -> tuple[list[str], list[list[str]]]:
    """(header, ~40 real rows holding both outcomes)."""
    zipped = paths.uci_dataset()
    if not zipped.is_file():
        pytest.skip(f"UCI zip not found at {zipped} (set READMIT_UCI_DATA)")
    with zipfile.ZipFile(zipped) as zf:
        name = next(n for n in zf.namelist() if n.endswith(CSV_NAME))
        with zf.open(name) as fh:
            reader = csv.reader(io.TextIOWrapper(fh, encoding="utf-8"))
            header = next(reader)
            first, early = [], []
            for row in reader:
                if len(first) < 30:
                    first.append(row)
                elif row[-1] == "<30" and len(early) < 10:
                    early.append(row)
                if len(early) == 10:
                    break
    return header, first + early


NUMBERS = st.one_of(
    st.sampled_from(
        ["", "1.5", "1e3", "-0", "NaN", "inf", " 3 ", "0x10", "3,4", "١٢", "99999999999999999999"]
    ),
    st.text(max_size=6),
)


@st.composite
def csv_bytes(draw, header: list[str], rows: list[list[str]]) -> bytes:
    header, rows = list(header), [list(r) for r in rows]
    for _ in range(draw(st.integers(1, 3))):
        kind = draw(st.sampled_from(["columns", "category", "number", "header", "drop_rows"]))
        event(f"mutation: {kind}")
        if not rows and kind != "header":
            continue
        i = draw(st.integers(0, len(rows) - 1)) if rows else 0
        if kind == "columns" and rows[i]:
            if draw(st.booleans()):
                del rows[i][draw(st.integers(0, len(rows[i]) - 1)) :]
            else:
                rows[i] += draw(st.lists(st.text(max_size=4), min_size=1, max_size=3))
        elif kind == "columns":
            rows[i] = draw(st.lists(st.text(max_size=4), min_size=1, max_size=3))
        elif kind == "category":
            rows[i][header.index(draw(st.sampled_from(CATEGORIES)))] = draw(st.text(max_size=10))
        elif kind == "number":
            rows[i][header.index(draw(st.sampled_from(INTEGER)))] = draw(NUMBERS)
        elif kind == "header":
            header[draw(st.integers(0, len(header) - 1))] = draw(st.text(max_size=10))
        else:
            rows = rows[: draw(st.integers(0, len(rows)))]
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows([header, *rows])
    text = buf.getvalue()
    encoding = draw(st.sampled_from(["utf-8", "utf-8", "utf-8-sig", "latin-1", "utf-16", "cp1252"]))
    event(f"encoding: {encoding}")
    if encoding != "utf-8":
        text = text.replace("Caucasian", "Caucásian", 1)
    data = text.encode(encoding, errors="replace")
    if draw(st.booleans()):
        at = draw(st.integers(0, len(data)))
        data = data[:at] + draw(st.binary(min_size=1, max_size=6)) + data[at:]
    return data


def _ingest_holds_the_contract(data: bytes) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "in" / CSV_NAME
        source.parent.mkdir()
        source.write_bytes(data)
        out = Path(tmp) / "set"
        argv = [
            "data",
            "ingest",
            "--source",
            "uci",
            "--input",
            str(source),
            "--out",
            str(out),
            "--min-k",
            "1",
        ]
        result = run(argv, KEY)
        assert_contract(result, [str(source)], codes=(0, 2))
        assert leftovers(Path(tmp), {"in", "set"} if result.code == 0 else {"in"}) == set()
        if result.code == 0:
            checked = run(["data", "validate", str(out)])
            assert checked.code == 0, checked.err


def test_the_unchanged_rows_ingest_and_validate(rows):
    header, body = rows
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows([header, *body])
    _ingest_holds_the_contract(buf.getvalue().encode())


@fuzz(60)
@given(data=st.data())
def test_mutated_csv_never_breaks_the_contract(rows, data):
    _ingest_holds_the_contract(data.draw(csv_bytes(*rows)))
