"""An ingest that fails while writing leaves the previous output exactly as it was and no temporary folder."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from data.conftest import KEY
from data.test_deid_end_to_end import write_tiny_export
from readmit import atomic
from readmit.data import ingest


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


@pytest.fixture
def earlier(tmp_path) -> tuple[Path, Path, dict[str, bytes]]:
    export = write_tiny_export(tmp_path / "export")
    out = tmp_path / "out" / "set"
    ingest.run("fhir", export, out, KEY, min_k=1)
    return export, out, _snapshot(out)


def test_a_failure_after_the_first_table_is_written_keeps_the_earlier_output(earlier, monkeypatch):
    export, out, before = earlier
    real = pd.DataFrame.to_parquet
    written: list[Path] = []

    def fail_on_second_table(self, path, *args, **kwargs):
        if written:
            raise OSError(28, "No space left on device")
        written.append(Path(path))
        return real(self, path, *args, **kwargs)

    monkeypatch.setattr(pd.DataFrame, "to_parquet", fail_on_second_table)
    with pytest.raises(OSError, match="No space left"):
        ingest.run("fhir", export, out, b"another-key-0123456789", min_k=1)
    assert written and written[0].name == "index.parquet" and written[0].parent != out
    assert _snapshot(out) == before
    assert sorted(p.name for p in out.parent.iterdir()) == ["set"]


def test_a_failed_first_ingest_leaves_no_folder_at_all(tmp_path, monkeypatch):
    export = write_tiny_export(tmp_path / "export")

    def broken(self, path, *args, **kwargs):
        Path(path).write_bytes(b"partial")
        raise RuntimeError("interrupted")

    monkeypatch.setattr(pd.DataFrame, "to_parquet", broken)
    with pytest.raises(RuntimeError):
        ingest.run("fhir", export, tmp_path / "out" / "set", KEY, min_k=1)
    assert list((tmp_path / "out").iterdir()) == []


def test_a_successful_ingest_replaces_the_earlier_output_whole(earlier):
    export, out, before = earlier
    (out / "stale.txt").write_text("from an older run")
    ingest.run("fhir", export, out, b"another-key-0123456789", min_k=1)
    after = _snapshot(out)
    assert sorted(after) == ["history.parquet", "index.parquet", "manifest.json"]
    assert after["index.parquet"] != before["index.parquet"]  # other key, other pseudonyms
    assert sorted(p.name for p in out.parent.iterdir()) == ["set"]


def test_when_the_final_rename_fails_the_earlier_output_is_put_back(tmp_path, monkeypatch):
    target = tmp_path / "set"
    target.mkdir()
    (target / "index.parquet").write_text("earlier")
    real_rename = Path.rename

    def rename(self, new):
        if self.name.startswith(".set.tmp-"):
            raise OSError(18, "Invalid cross-device link")
        return real_rename(self, new)

    monkeypatch.setattr(Path, "rename", rename)
    with pytest.raises(OSError, match="cross-device"), atomic.atomic_dir(target) as tmp:
        (tmp / "index.parquet").write_text("new")
    assert [p.name for p in tmp_path.iterdir()] == ["set"]
    assert (target / "index.parquet").read_text() == "earlier"


def test_write_bytes_failure_keeps_the_old_file_and_no_temp(tmp_path, monkeypatch):
    path = tmp_path / "models.yaml"
    path.write_text("old")
    monkeypatch.setattr(atomic.os, "replace", lambda *a: (_ for _ in ()).throw(OSError("disk gone")))
    with pytest.raises(OSError, match="disk gone"):
        atomic.write_text(path, "new")
    assert [p.name for p in tmp_path.iterdir()] == ["models.yaml"] and path.read_text() == "old"


def test_write_text_creates_missing_parents_and_writes_through_a_hidden_sibling(tmp_path, monkeypatch):
    path = tmp_path / "a" / "b" / "models.yaml"
    moves = []
    real = atomic.os.replace
    monkeypatch.setattr(atomic.os, "replace", lambda src, dst: (moves.append(Path(src)), real(src, dst)))
    atomic.write_text(path, "naïve")
    assert path.read_bytes() == "naïve".encode()
    assert moves[0].parent == path.parent and moves[0].name.startswith(".models.yaml.")
