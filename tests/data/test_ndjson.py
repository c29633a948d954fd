import gzip
import json

import pytest

from readmit.data.ndjson import export_files, read_resources
from readmit.errors import InputError


def _write(path, lines, gz=False):
    data = "\n".join(lines).encode() + b"\n"
    path.write_bytes(gzip.compress(data) if gz else data)
    return path


def test_plain_and_gzipped_files_yield_the_same_resources_with_line_numbers(tmp_path):
    lines = [json.dumps({"resourceType": "Patient", "id": str(i)}) for i in range(3)]
    plain = _write(tmp_path / "Patient.000.ndjson", lines)
    zipped = _write(tmp_path / "Patient.001.ndjson.gz", lines, gz=True)
    assert list(read_resources(plain, "Patient")) == list(read_resources(zipped, "Patient"))
    assert [n for n, _ in read_resources(plain, "Patient")] == [1, 2, 3]


def test_bad_json_line_names_file_and_line(tmp_path):
    path = _write(tmp_path / "Patient.000.ndjson", ['{"resourceType": "Patient", "id": "a"}', "{not json"])
    with pytest.raises(InputError, match=r"Patient\.000\.ndjson:2: not valid JSON"):
        list(read_resources(path, "Patient"))


def test_resource_of_another_type_in_a_file_is_rejected(tmp_path):
    path = _write(tmp_path / "Patient.000.ndjson", ['{"resourceType": "Encounter", "id": "a"}'])
    with pytest.raises(InputError, match=r":1: unexpected resourceType 'Encounter'"):
        list(read_resources(path, "Patient"))


def test_line_without_resource_type_is_rejected(tmp_path):
    path = _write(tmp_path / "Patient.000.ndjson", ['{"id": "a"}'])
    with pytest.raises(InputError, match=r":1: missing resourceType"):
        list(read_resources(path, "Patient"))


def test_truncated_gzip_is_reported_as_unreadable(tmp_path):
    path = tmp_path / "Patient.000.ndjson.gz"
    path.write_bytes(gzip.compress(b'{"resourceType": "Patient"}\n' * 100)[:30])
    with pytest.raises(InputError, match="unreadable"):
        list(read_resources(path, "Patient"))


def test_empty_directory_is_an_input_error(tmp_path):
    with pytest.raises(InputError, match="no .ndjson or .ndjson.gz files"):
        export_files(tmp_path)


def test_export_files_groups_by_resource_type_and_skips_the_export_log(tmp_path):
    for name in ("Patient.000.ndjson", "Patient.001.ndjson.gz", "Encounter.000.ndjson", "log.ndjson"):
        (tmp_path / name).write_text("")
    files = export_files(tmp_path)
    assert sorted(files) == ["Encounter", "Patient"]
    assert [p.name for p in files["Patient"]] == ["Patient.000.ndjson", "Patient.001.ndjson.gz"]
