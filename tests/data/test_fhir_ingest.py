import json

import numpy as np
import pandas as pd
import pytest

from readmit.data import fhir_read, ingest
from readmit.data.deid import pseudonym
from readmit.data.synth import generate
from readmit.errors import InputError

from .conftest import KEY


def test_labels_match_the_generator_ground_truth(synth_export, synth_ingested):
    truth = pd.read_csv(synth_export[1])
    truth["encounter_key"] = [pseudonym(KEY, e) for e in truth["encounter_id"]]
    index = pd.read_parquet(synth_ingested / "index.parquet")
    joined = index.merge(truth, on="encounter_key", suffixes=("", "_truth"))
    assert len(joined) == len(index)  # every index stay has a ground-truth row
    assert (joined["label"] == joined["label_truth"]).all()
    assert 0.08 < index["label"].mean() < 0.18


def test_exclusions_are_counted_with_reasons(synth_ingested):
    meta = json.loads((synth_ingested / "manifest.json").read_text())
    assert meta["exclusions"]["followup_past_data_end"] > 0
    assert meta["exclusions"]["death"] > 0
    candidates = meta["rows_in"]["index_candidates"]
    assert candidates == meta["rows_out"]["index"] + sum(meta["exclusions"].values())


def test_days_are_relative_and_history_ends_before_admission(synth_ingested):
    index = pd.read_parquet(synth_ingested / "index.parquet")
    history = pd.read_parquet(synth_ingested / "history.parquet")
    assert history.groupby("patient_key")["admit_day"].min().eq(0).all()
    assert (index["admit_day"] < 5 * 366).all()
    for row in index.itertuples():
        assert all(item["discharge_day"] <= row.admit_day for item in json.loads(row.history))


def test_lab_unit_change_is_converted_back_to_mg_per_dl(tmp_path):
    sets = {}
    for drift in ("none", "lab-unit-change"):
        generate.run(60, 5, tmp_path / drift, drift)
        index, _, _ = ingest.build("fhir", tmp_path / drift, KEY, min_k=1)
        sets[drift] = [v for labs in index["labs"] for _, v in json.loads(labs).get("creatinine", [])]
    assert "14682-9" in (tmp_path / "lab-unit-change" / "Observation.000.ndjson").read_text()
    assert np.allclose(sets["none"], sets["lab-unit-change"], atol=0.01)


def test_unknown_resource_type_file_is_rejected(tmp_path):
    (tmp_path / "Patient.000.ndjson").write_text('{"resourceType": "Patient", "id": "p"}\n')
    (tmp_path / "Encounterz.000.ndjson").write_text('{"resourceType": "Encounterz", "id": "e"}\n')
    with pytest.raises(InputError, match=r"Encounterz.000.ndjson:1: unknown resourceType 'Encounterz'"):
        fhir_read.read_export(tmp_path)


def test_missing_required_field_names_file_and_line(tmp_path):
    (tmp_path / "Patient.000.ndjson").write_text('{"resourceType": "Patient", "id": "p"}\n')
    (tmp_path / "Encounter.000.ndjson").write_text(
        '{"resourceType": "Encounter", "id": "e", "subject": {"reference": "Patient/p"}, "class": '
        '{"code": "IMP"},'
        ' "period": {"start": "2020-01-01T00:00:00Z"}}\n'
        '{"resourceType": "Encounter", "id": "f", "class": {"code": "IMP"}}\n'
    )
    with pytest.raises(InputError, match=r"Encounter.000.ndjson:2: Encounter lacks a required field"):
        fhir_read.read_export(tmp_path)


def test_export_without_encounters_is_rejected(tmp_path):
    (tmp_path / "Patient.000.ndjson").write_text('{"resourceType": "Patient", "id": "p"}\n')
    with pytest.raises(InputError, match="no Patient or no Encounter file"):
        fhir_read.read_export(tmp_path)


def test_bad_date_names_the_file_and_line(tmp_path):
    (tmp_path / "Patient.000.ndjson").write_text(
        '{"resourceType": "Patient", "id": "p", "birthDate": "1950-01-01"}\n'
    )
    (tmp_path / "Encounter.000.ndjson").write_text(
        '{"resourceType": "Encounter", "id": "e", "subject": {"reference": "Patient/p"}, "class": '
        '{"code": "IMP"},'
        ' "period": {"start": "2020-01-01T00:00:00Z", "end": "2020-01-05T00:00:00Z"}}\n'
        '{"resourceType": "Encounter", "id": "f", "subject": {"reference": "Patient/p"}, "class": '
        '{"code": "IMP"},'
        ' "period": {"start": "yesterday"}}\n'
    )
    with pytest.raises(
        InputError, match=r"Encounter.000.ndjson:2: Encounter.period.start is not an ISO 8601"
    ):
        ingest.build("fhir", tmp_path, KEY)


def test_malformed_birth_date_error_names_the_line_but_not_the_value(tmp_path):
    (tmp_path / "Patient.000.ndjson").write_text(
        '{"resourceType": "Patient", "id": "p", "birthDate": "1950-02-31"}\n'
    )
    (tmp_path / "Encounter.000.ndjson").write_text(
        '{"resourceType": "Encounter", "id": "e", "subject": {"reference": "Patient/p"}, "class": '
        '{"code": "IMP"},'
        ' "period": {"start": "2020-01-01T00:00:00Z", "end": "2020-01-05T00:00:00Z"}}\n'
    )
    with pytest.raises(InputError) as err:
        ingest.build("fhir", tmp_path, KEY)
    assert "Patient.000.ndjson:1: Patient.birthDate" in str(err.value) and "1950" not in str(err.value)


def test_same_input_and_key_give_the_same_data_version_and_another_key_does_not(synth_export):
    first = ingest.build("fhir", synth_export[0], KEY)[2]["data_version"]
    assert ingest.build("fhir", synth_export[0], KEY)[2]["data_version"] == first
    assert ingest.build("fhir", synth_export[0], b"another-key-0123456789")[2]["data_version"] != first


def test_output_over_the_input_is_refused(synth_export):
    with pytest.raises(InputError, match="would replace the input"):
        ingest.run("fhir", synth_export[0], synth_export[0], KEY)


def test_stays_of_patients_without_birth_date_are_excluded_and_counted(tmp_path):
    (tmp_path / "Patient.000.ndjson").write_text('{"resourceType": "Patient", "id": "p"}\n')
    (tmp_path / "Encounter.000.ndjson").write_text(
        '{"resourceType": "Encounter", "id": "e", "subject": {"reference": "Patient/p"}, "class": '
        '{"code": "IMP"},'
        ' "period": {"start": "2020-01-01T00:00:00Z", "end": "2020-01-05T00:00:00Z"}}\n'
        '{"resourceType": "Encounter", "id": "f", "subject": {"reference": "Patient/p"}, "class": '
        '{"code": "AMB"},'
        ' "period": {"start": "2020-06-01T00:00:00Z", "end": "2020-06-01T01:00:00Z"}}\n'
    )
    index, _, meta = ingest.build("fhir", tmp_path, KEY, min_k=1)
    assert len(index) == 0 and meta["exclusions"]["no_birth_date"] == 1


def _synthea_copy(synthea_dir, target):
    """The Synthea sample unzipped into `target`, so a test can edit single lines."""
    import gzip

    target.mkdir()
    for path in synthea_dir.glob("*.ndjson.gz"):
        (target / path.name.removesuffix(".gz")).write_bytes(gzip.decompress(path.read_bytes()))
    return target


def test_discharge_before_admission_is_an_input_error_naming_file_line_and_field(synthea_dir, tmp_path):
    export = _synthea_copy(synthea_dir, tmp_path / "export")
    path = export / "Encounter.000.ndjson"
    lines = path.read_text().splitlines()
    n = next(i for i, ln in enumerate(lines) if '"code":"IMP"' in ln.replace(" ", ""))
    enc = json.loads(lines[n])
    enc["period"] = {"start": enc["period"]["end"], "end": enc["period"]["start"]}
    assert enc["period"]["end"] < enc["period"]["start"]
    lines[n] = json.dumps(enc)
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(InputError, match=rf"Encounter.000.ndjson:{n + 1}: Encounter.period.end is before"):
        ingest.run("fhir", export, tmp_path / "set", KEY)
    assert not (tmp_path / "set").exists()


def test_an_empty_patient_file_is_an_input_error_with_the_count(synthea_dir, tmp_path):
    export = _synthea_copy(synthea_dir, tmp_path / "export")
    (export / "Patient.000.ndjson").write_text("")
    with pytest.raises(InputError, match="0 index stays"):
        ingest.run("fhir", export, tmp_path / "set", KEY)
    assert not (tmp_path / "set").exists()


def test_one_class_data_is_an_input_error_with_the_count(tmp_path):
    (tmp_path / "Patient.000.ndjson").write_text(
        "".join(f'{{"resourceType": "Patient", "id": "p{i}", "birthDate": "1950-01-01"}}\n' for i in range(6))
    )
    (tmp_path / "Encounter.000.ndjson").write_text(
        "".join(
            f'{{"resourceType": "Encounter", "id": "e{i}", "subject": {{"reference": "Patient/p{i}"}}, '
            '"class": {"code": "IMP"}, '
            '"period": {"start": "2020-01-01T00:00:00Z", "end": "2020-01-05T00:00:00Z"}}\n'
            f'{{"resourceType": "Encounter", "id": "x{i}", "subject": {{"reference": "Patient/p{i}"}}, '
            '"class": {"code": "AMB"}, '
            '"period": {"start": "2021-01-01T00:00:00Z", "end": "2021-01-01T01:00:00Z"}}\n'
            for i in range(6)
        )
    )
    with pytest.raises(InputError, match="6 index stays, all with label 0"):
        ingest.run("fhir", tmp_path, tmp_path.parent / "set", KEY, min_k=1)
    assert not (tmp_path.parent / "set").exists()


@pytest.mark.parametrize(
    "value, field",
    [
        ('"high"', "valueQuantity.value is not a finite JSON number"),
        ("true", "valueQuantity.value is not a finite JSON number"),
        ("1e999", "valueQuantity.value is not a finite JSON number"),
        ("NaN", "not valid JSON"),
    ],
)
def test_a_lab_value_that_is_not_a_finite_number_names_file_line_and_field(
    synthea_dir, tmp_path, value, field
):
    export = _synthea_copy(synthea_dir, tmp_path / "export")
    enc = json.loads((export / "Encounter.000.ndjson").read_text().splitlines()[0])
    obs = {
        "resourceType": "Observation",
        "subject": enc["subject"],
        "encounter": {"reference": f"Encounter/{enc['id']}"},
        "code": {"coding": [{"system": "http://loinc.org", "code": "2160-0"}]},
        "effectiveDateTime": enc["period"]["start"],
        "valueQuantity": {"value": "VALUE", "unit": "mg/dL"},
    }
    (export / "Observation.000.ndjson").write_text(json.dumps(obs).replace('"VALUE"', value) + "\n")
    with pytest.raises(InputError, match=rf"Observation.000.ndjson:1: .*{field}"):
        ingest.run("fhir", export, tmp_path / "set", KEY)
    assert not (tmp_path / "set").exists()


def test_a_code_that_is_not_text_names_file_line_and_field(synthea_dir, tmp_path):
    export = _synthea_copy(synthea_dir, tmp_path / "export")
    path = export / "Condition.000.ndjson"
    lines = path.read_text().splitlines()
    cond = json.loads(lines[2])
    cond["code"]["coding"][0]["code"] = 44054006
    lines[2] = json.dumps(cond)
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(
        InputError, match=r"Condition.000.ndjson:3: Condition.code.coding.code is not a non-empty"
    ):
        ingest.run("fhir", export, tmp_path / "set", KEY)


def test_a_stay_before_the_birth_date_is_excluded_and_counted_not_aged_zero(synthea_dir, tmp_path):
    export = _synthea_copy(synthea_dir, tmp_path / "export")
    path = export / "Patient.000.ndjson"
    patients = [json.loads(line) for line in path.read_text().splitlines()]
    before, _, meta_before = ingest.build("fhir", export, KEY, min_k=1)
    for p in patients:
        p["birthDate"] = "2199-01-01"
    path.write_text("".join(json.dumps(p) + "\n" for p in patients))
    index, _, meta = ingest.build("fhir", export, KEY, min_k=1)
    assert len(index) == 0 and meta["exclusions"]["birth_after_admission"] == len(before)


def _with_one_observation(synthea_dir, tmp_path, **changes):
    """The Synthea sample plus one creatinine result on its first inpatient stay, with `changes` applied."""
    export = _synthea_copy(synthea_dir, tmp_path / "export")
    lines = (export / "Encounter.000.ndjson").read_text().splitlines()
    enc = next(json.loads(ln) for ln in lines if json.loads(ln)["class"]["code"] == "IMP")
    obs = {
        "resourceType": "Observation",
        "subject": enc["subject"],
        "encounter": {"reference": f"urn:uuid:{enc['id']}"},
        "code": {"coding": [{"system": "http://loinc.org", "code": "2160-0"}]},
        "effectiveDateTime": enc["period"]["start"],
        "valueQuantity": {"value": 1.2, "unit": "mg/dL"},
    }
    obs.update(changes)
    (export / "Observation.000.ndjson").write_text(
        json.dumps({k: v for k, v in obs.items() if v is not None})
    )
    return export


@pytest.mark.parametrize(
    "changes, counter",
    [
        ({"effectiveDateTime": None}, "observations_unusable"),  # found by tests/hostile: NaN day, crash
        ({"subject": {"display": "no reference"}}, "observations_unusable"),
        ({"effectiveDateTime": "2099"}, "observations_after_encounter_end"),  # found: leaked into labs
    ],
)
def test_a_lab_that_cannot_be_placed_in_its_stay_is_dropped_and_counted(
    synthea_dir, tmp_path, changes, counter
):
    from readmit.data.validate import validate

    export = _with_one_observation(synthea_dir, tmp_path, **changes)
    meta = ingest.run("fhir", export, tmp_path / "set", KEY)
    assert meta["rows_in"][counter] == 1
    assert validate(tmp_path / "set")["index_rows"] == meta["rows_out"]["index"]
