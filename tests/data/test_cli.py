"""The `readmit data` commands end to end through the console entry point."""

import json

from .conftest import run_cli


def test_synth_ingest_validate_round_trip(tmp_path):
    export = tmp_path / "export"
    result = run_cli("data", "synth", "--patients", "120", "--seed", "4", "--out", str(export), "--gzip")
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "export-ground-truth.csv").is_file() and (export / "Patient.000.ndjson.gz").is_file()
    result = run_cli(
        "data", "ingest", "--source", "fhir", "--input", str(export), "--out", str(tmp_path / "set")
    )
    assert result.returncode == 0, result.stderr
    assert "label prevalence" in result.stdout and "data_version: sha256:" in result.stdout
    result = run_cli("data", "validate", str(tmp_path / "set"))
    assert result.returncode == 0 and result.stdout.startswith("ok:")


def test_missing_key_exits_2_with_one_line_naming_both_ways(tmp_path, synth_export):
    result = run_cli(
        "data",
        "ingest",
        "--source",
        "fhir",
        "--input",
        str(synth_export[0]),
        "--out",
        str(tmp_path / "set"),
        env_key=False,
    )
    assert result.returncode == 2
    assert len(result.stderr.strip().splitlines()) == 1
    assert "READMIT_PSEUDONYM_KEY" in result.stderr and "--key-file" in result.stderr
    assert not (tmp_path / "set").exists()


def test_key_file_option_is_accepted(tmp_path, synth_export):
    key = tmp_path / "key"
    key.write_text("0123456789abcdef0123456789abcdef\n")
    result = run_cli(
        "data",
        "ingest",
        "--source",
        "fhir",
        "--input",
        str(synth_export[0]),
        "--out",
        str(tmp_path / "set"),
        "--key-file",
        str(key),
        env_key=False,
    )
    assert result.returncode == 0, result.stderr


def test_malformed_input_exits_2_with_one_line_and_leaves_no_output(tmp_path, synth_export):
    export = tmp_path / "export"
    export.mkdir()
    for f in synth_export[0].iterdir():
        (export / f.name).write_bytes(f.read_bytes())
    lines = (export / "Condition.000.ndjson").read_text().splitlines()
    lines[6] = lines[6][:40]
    (export / "Condition.000.ndjson").write_text("\n".join(lines) + "\n")
    out = tmp_path / "set"
    result = run_cli("data", "ingest", "--source", "fhir", "--input", str(export), "--out", str(out))
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        (
            f"readmit: error: {export / 'Condition.000.ndjson'}:7: not valid JSON (JSONDecodeError); "
            "each line must be one FHIR resource"
        )
    ]
    assert not out.exists() and not any(p.name.startswith(".set") for p in tmp_path.iterdir())


def test_empty_directory_and_bad_csv_exit_2(tmp_path):
    (tmp_path / "empty").mkdir()
    result = run_cli(
        "data", "ingest", "--source", "fhir", "--input", str(tmp_path / "empty"), "--out", str(tmp_path / "o")
    )
    assert result.returncode == 2 and "no .ndjson or .ndjson.gz files" in result.stderr
    (tmp_path / "diabetic_data.csv").write_text("encounter_id,patient_nbr\n1,2\n")
    result = run_cli(
        "data",
        "ingest",
        "--source",
        "uci",
        "--input",
        str(tmp_path / "diabetic_data.csv"),
        "--out",
        str(tmp_path / "o"),
    )
    assert result.returncode == 2 and ":1: missing column(s) race, gender" in result.stderr


def test_validate_exits_1_listing_problems(tmp_path, synth_ingested):
    target = tmp_path / "set"
    target.mkdir()
    for f in synth_ingested.iterdir():
        (target / f.name).write_bytes(f.read_bytes())
    meta = json.loads((target / "manifest.json").read_text())
    meta["data_version"] = "sha256:" + "0" * 64
    (target / "manifest.json").write_text(json.dumps(meta))
    result = run_cli("data", "validate", str(target))
    assert result.returncode == 1
    assert "manifest.json: data_version does not match the tables" in result.stderr


def test_synth_options_history_signal_drift_and_explicit_truth(tmp_path):
    truth = tmp_path / "elsewhere" / "truth.csv"
    result = run_cli(
        "data",
        "synth",
        "--patients",
        "30",
        "--seed",
        "2",
        "--out",
        str(tmp_path / "x"),
        "--history-signal",
        "off",
        "--drift",
        "older-population",
        "--truth",
        str(truth),
    )
    assert result.returncode == 0, result.stderr
    assert "drift=older-population, history signal off" in result.stdout
    assert truth.is_file() and not (tmp_path / "x-ground-truth.csv").exists()
    bad = run_cli("data", "synth", "--patients", "30", "--out", str(tmp_path / "y"), "--drift", "nope")
    assert bad.returncode == 2 and "nope" in bad.stderr
