"""The inference log's sink rotates by size and its readers give one row per stay / per request."""

from __future__ import annotations

import json

from readmit.features.build import FeatureSpec
from readmit.serving import inference_log
from readmit.serving.examples import made_up


def _record(i: int, rows: int) -> dict:
    return {
        "ts": "2026-11-30T11:00:00.123Z",
        "request_id": f"r{i}",
        "model": "readmission",
        "version": "3",
        "status": 200 if rows else 400,
        "reason": None if rows else "out_of_range",
        "latency_ms": 3.1,
        "rows": [
            {
                "patient_key": "a" * 64,
                "encounter_key": "b" * 64,
                "inputs": {"age": 70},
                "readmission_risk": 0.2,
                "risk_band": "low",
            }
        ]
        * rows,
    }


def test_rotates_by_size_and_reads_across_rotated_files(tmp_path):
    sink = inference_log.Sink(tmp_path / "log.jsonl", max_bytes=1000, backups=50)
    for i in range(40):
        sink.write(_record(i, i % 3))
    files = inference_log.files(tmp_path / "log.jsonl")
    assert len(files) > 3 and all(p.stat().st_size <= 1000 for p in files)

    requests = inference_log.read_requests(tmp_path / "log.jsonl")
    assert list(requests["request_id"]) == [f"r{i}" for i in range(40)]
    assert list(requests["reason"].iloc[:3]) == ["out_of_range", None, None]
    stays = inference_log.read(tmp_path / "log.jsonl")
    assert len(stays) == sum(i % 3 for i in range(40))
    assert {"ts", "status", "patient_key", "readmission_risk", "risk_band", "age", "history"} <= set(
        stays.columns
    )


def test_oldest_rotated_file_is_dropped_beyond_the_backup_count(tmp_path):
    sink = inference_log.Sink(tmp_path / "log.jsonl", max_bytes=400, backups=2)
    for i in range(30):
        sink.write(_record(i, 1))
    assert len(inference_log.files(tmp_path / "log.jsonl")) == 3
    assert inference_log.read_requests(tmp_path / "log.jsonl")["request_id"].iloc[-1] == "r29"


def test_unwritable_sink_says_which_variable_to_set(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("")
    try:
        inference_log.Sink(blocker / "sub" / "log.jsonl")
    except OSError as exc:
        assert inference_log.ENV in str(exc)
    else:
        raise AssertionError("a sink under a regular file was created")


def test_logged_history_keeps_an_undated_items_recorded_counts_and_adds_none_to_others():
    row = made_up().iloc[0].to_dict()
    item = json.loads(row["history"])[0]
    row["history"] = json.dumps([item | {"prior_inpatient_365d": 2, "prior_emergency_365d": "x"}, item])
    counted, plain = json.loads(inference_log.loggable_inputs(row, FeatureSpec())["history"])
    assert (counted["prior_inpatient_365d"], counted["prior_emergency_365d"]) == (2, None)
    assert "prior_outpatient_365d" not in counted and "prior_inpatient_365d" not in plain
