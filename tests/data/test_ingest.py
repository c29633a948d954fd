"""`readmit.data.ingest` on a four-row UCI file: what the manifest and the terminal summary say."""

from __future__ import annotations

import json

import pandas as pd
import pyarrow.parquet as pq
import pytest

from readmit.data import ingest
from readmit.errors import InputError
from readmit.schema import HISTORY_COLUMNS, HISTORY_FILE, INDEX_COLUMNS, INDEX_FILE

from .test_uci_ingest import HEADER, ROWS

KEY = b"test-pseudonym-key-0123456789abcdef"


@pytest.fixture
def uci_csv(tmp_path):
    path = tmp_path / "diabetic_data.csv"
    path.write_text("\n".join([HEADER, *ROWS]) + "\n")
    return path


def test_a_small_uci_file_is_ingested_with_its_counts_in_the_manifest(uci_csv):
    index, history, meta = ingest.build("uci", uci_csv, KEY, min_k=1)
    assert index["source"].tolist() == ["uci", "uci"]
    assert meta["rows_in"] == {"rows": 4, "patients": 2, "index_candidates": 4}
    assert meta["exclusions"] == {"death": 1, "hospice": 1, "k_anonymity_suppressed": 0}
    assert meta["notes"] == {"label": "unplanned inpatient readmission within 30 days of discharge"}
    assert list(history.columns) == list(HISTORY_COLUMNS)
    assert history.index.tolist() == list(range(len(history)))


def test_the_default_k_is_5_and_its_suppressions_are_counted_as_an_exclusion(uci_csv):
    index, history, meta = ingest.build("uci", uci_csv, KEY)
    assert meta["k_anonymity"]["min_k"] == 5
    assert meta["exclusions"]["k_anonymity_suppressed"] == 2 and index.empty and history.empty


def test_exclusions_count_each_reason_but_not_index_stays_or_history_only_encounters():
    enc = pd.DataFrame({"status": ["", "index", "death", "hospice", "death", "", "index"]})
    assert ingest.exclusions(enc) == {"death": 2, "hospice": 1}


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (
            lambda p: ingest.build("uci", p, KEY, min_k=0),
            "--min-k 0: must be at least 1; use e.g. --min-k 5",
        ),
        (
            lambda p: ingest.build("uci", p.parent / "absent.csv", KEY),
            "{dir}/absent.csv: no such file or directory; pass the export folder or the UCI zip/csv",
        ),
        (
            lambda p: ingest.build("UCI", p, KEY),
            "--source UCI: unknown source; use fhir or uci",
        ),
    ],
)
def test_bad_arguments_are_one_line_saying_how_to_fix_them(uci_csv, call, message):
    with pytest.raises(InputError) as err:
        call(uci_csv)
    assert str(err.value) == message.format(dir=uci_csv.parent)


def _meta(exclusions, prevalence):
    return {
        "source": "uci",
        "rows_out": {"index": 2, "patients": 1, "history": 3},
        "exclusions": exclusions,
        "label_prevalence": prevalence,
        "k_anonymity": {
            "min_k": 5,
            "generalised": {"age_band_widened": 2, "zip3_suppressed": 1},
            "suppressed": 4,
        },
        "data_version": "sha256:abc",
    }


def test_the_summary_gives_counts_exclusions_prevalence_and_k_anonymity():
    assert ingest.summary(_meta({"death": 1, "hospice": 2}, 0.12345)) == (
        "ingested uci: 2 index stays of 1 patients, 3 history encounters\n"
        "excluded: death=1, hospice=2\n"
        "label prevalence: 0.123; k-anonymity (k=5): 3 generalisation steps applied, 4 suppressed\n"
        "data_version: sha256:abc"
    )


def test_the_summary_says_none_and_n_a_when_nothing_was_excluded_and_there_is_no_label():
    lines = ingest.summary(_meta({}, None)).splitlines()
    assert lines[1] == "excluded: none"
    assert lines[2].startswith("label prevalence: n/a; ")


def test_the_written_tables_hold_exactly_the_schema_columns_for_any_parquet_reader(uci_csv, tmp_path):
    ingest.write(tmp_path / "out", *ingest.build("uci", uci_csv, KEY, min_k=1))
    # pyarrow, not pandas: a row index stored as a column would show up as __index_level_0__.
    assert pq.read_schema(tmp_path / "out" / INDEX_FILE).names == list(INDEX_COLUMNS)
    assert pq.read_schema(tmp_path / "out" / HISTORY_FILE).names == list(HISTORY_COLUMNS)


def test_the_manifest_is_written_in_canonical_form_sorted_keys_and_two_space_indent(uci_csv, tmp_path):
    ingest.write(tmp_path / "out", *ingest.build("uci", uci_csv, KEY, min_k=1))
    text = (tmp_path / "out" / "manifest.json").read_text()
    # Same data, same bytes, and a reviewer's diff shows one changed value per line.
    assert text == json.dumps(json.loads(text), indent=2, sort_keys=True) + "\n"


def _csv(tmp_path, rows):
    path = tmp_path / "diabetic_data.csv"
    path.write_text("\n".join([HEADER, *rows]) + "\n")
    return path


UNTRAINABLE = "; training needs stays with both label values (0 and 1): ingest a larger or complete export"


def test_an_untrainable_ingest_says_where_what_it_found_and_what_was_excluded(tmp_path):
    # encounter 10: one index stay (label 0); 20 died in hospital; 40 went to a hospice
    path = _csv(tmp_path, [ROWS[1], ROWS[2], ROWS[3]])
    with pytest.raises(InputError) as err:
        ingest.run("uci", path, tmp_path / "set", KEY, min_k=1)
    # k_anonymity_suppressed=0 is not listed: only the reasons that removed a stay
    found = "1 index stays, all with label 0 (excluded: death=1, hospice=1)"
    assert str(err.value) == f"{path}: {found}{UNTRAINABLE}"
    assert not (tmp_path / "set").exists()


def test_an_untrainable_ingest_with_nothing_excluded_names_no_exclusions(tmp_path):
    path = _csv(tmp_path, [ROWS[1]])
    with pytest.raises(InputError) as err:
        ingest.run("uci", path, tmp_path / "set", KEY, min_k=1)
    assert str(err.value) == f"{path}: 1 index stays, all with label 0{UNTRAINABLE}"


@pytest.mark.parametrize("out", [".", ".."], ids=["the input itself", "a folder holding the input"])
def test_an_output_that_would_replace_the_input_is_refused_before_anything_is_read(tmp_path, out):
    folder = tmp_path / "export"
    folder.mkdir()
    path = _csv(folder, ROWS)
    target = path if out == "." else folder
    with pytest.raises(InputError) as err:
        ingest.run("uci", path, target, KEY, min_k=1)
    assert str(err.value) == (
        f"--out {target}: would replace the input; choose an output folder outside {path}"
    )
    assert path.read_text() == "\n".join([HEADER, *ROWS]) + "\n"


def test_run_keeps_a_group_of_exactly_5_at_its_default_k_of_5_as_the_cli_does(tmp_path):
    # five patients alike in every quasi-identifier (70-79, Caucasian, female, no ZIP): one group of 5
    rows = [
        f"{100 + i},{50 + i},Caucasian,Female,[70-80),?,1,1,7,5,MC,?,41,0,10,0,0,1,414,?,?,5,None,None,"
        f"No,No,No,Yes,{'<30' if i < 2 else 'NO'}"
        for i in range(5)
    ]
    meta = ingest.run("uci", _csv(tmp_path, rows), tmp_path / "set", KEY)
    assert meta["k_anonymity"]["min_k"] == 5
    assert meta["rows_out"]["index"] == 5 and meta["exclusions"]["k_anonymity_suppressed"] == 0
