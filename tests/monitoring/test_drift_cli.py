"""`readmit drift`: files written, exit 3 on drift, the Prometheus textfile, --notify and the log input."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import mlflow
import mlflow.pyfunc
import pandas as pd
import pytest
from prometheus_client.parser import text_string_to_metric_families

from readmit import registry
from readmit.cli import main
from readmit.errors import CheckFailed
from readmit.monitoring.config import DEFAULT
from readmit.monitoring.notify import post
from readmit.monitoring.view import PREDICTION
from readmit.schema import LABEL, MANIFEST_FILE
from registry_versions import register, use_tmp_mlflow

from .conftest import index_rows, write_log

pytestmark = pytest.mark.slow


def run(*args) -> int:
    with pytest.raises(SystemExit) as exit_info:
        main(["drift", *map(str, args)])
        raise SystemExit(0)
    return exit_info.value.code


@pytest.fixture(scope="module")
def older_run(cohorts, tmp_path_factory):
    """One CLI run on the older population: (exit code, report folder, textfile, stdout)."""
    root = tmp_path_factory.mktemp("older-run")
    out, prom = root / "report", root / "collector" / "readmit_drift.prom"
    args = ["--reference", cohorts["reference"], "--current", cohorts["older-population"], "--out", out]
    code = run(*args, "--fail-on-drift", "--textfile", prom)
    return code, out, prom


def test_drift_writes_a_self_contained_report_and_exits_3_when_asked(older_run):
    code, out, _ = older_run
    assert code == 3
    assert sorted(p.name for p in out.iterdir()) == ["drift.json", "drift.prom", "report.html"]
    page = (out / "report.html").read_text()
    assert "<script src=" not in page and "DATASET DRIFT" in page
    doc = json.loads((out / "drift.json").read_text())
    assert doc["dataset_drift"] is True and doc["windows"]["reference"]["data_version"].startswith("sha256:")
    assert {"method", "statistic", "threshold", "drifted"} <= set(doc["features"]["age"])


def test_no_drift_exits_0_even_with_fail_on_drift(cohorts, tmp_path):
    assert (
        run(
            "--reference",
            cohorts["reference"],
            "--current",
            cohorts["same"],
            "--out",
            tmp_path / "r",
            "--fail-on-drift",
        )
        == 0
    )


def test_the_textfile_parses_with_the_prometheus_parser(older_run):
    _, out, prom = older_run
    families = {f.name: f for f in text_string_to_metric_families(prom.read_text())}
    assert prom.read_text() == (out / "drift.prom").read_text()
    assert families["readmit_drift_score"].samples[0].value == pytest.approx(
        json.loads((out / "drift.json").read_text())["share_drifted_features"]
    )
    assert families["readmit_dataset_drift"].samples[0].value == 1.0
    age = [s for s in families["readmit_feature_drifted"].samples if s.labels["feature"] == "age"]
    assert age[0].value == 1.0


def test_a_missing_reference_is_one_input_error(tmp_path, capsys):
    assert run("--reference", tmp_path / "nope", "--current", tmp_path / "nope", "--out", tmp_path / "r") == 2
    assert "not found" in capsys.readouterr().err
    assert not (tmp_path / "r").exists()


class _Listener(BaseHTTPRequestHandler):
    received: list = []

    def do_POST(self):  # noqa: N802 (http.server's name)
        body = self.rfile.read(int(self.headers["Content-Length"]))
        _Listener.received.append((self.headers["X-Readmit-Token"], json.loads(body)))
        self.send_response(202)
        self.end_headers()

    def log_message(self, *args):
        pass


def test_notify_posts_the_trigger_binding_payload_from_an_inference_log(cohorts, tmp_path, monkeypatch):
    monkeypatch.setenv("READMIT_DRIFT_TOKEN", "s3cret-token")
    log = write_log(tmp_path / "readmission.jsonl", index_rows(cohorts["older-population"]).head(1500))
    server = HTTPServer(("127.0.0.1", 0), _Listener)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_port}/"
        code = run(
            "--reference", cohorts["reference"], "--current", log, "--out", tmp_path / "r", "--notify", url
        )
    finally:
        server.shutdown()
        server.server_close()
    assert code == 0
    ((header, payload),) = _Listener.received
    assert header == "s3cret-token"
    assert set(payload) == {"reason", "summary", "window", "model_version"}
    assert all(isinstance(v, str) for v in payload.values())
    assert payload["reason"] == "data_drift" and payload["model_version"] == "3"
    assert payload["window"].startswith("2026-11-01T00:00:00") and "/" in payload["window"]
    doc = json.loads((tmp_path / "r" / "drift.json").read_text())
    assert doc["samples"]["current"]["stratified_by"] == "month"


def test_an_unreachable_listener_is_a_failed_check_not_silence():
    with pytest.raises(CheckFailed, match="could not deliver"):
        post("http://127.0.0.1:9/", {"reason": "data_drift"}, "token", timeout=2)


def test_notify_without_the_token_is_one_input_error_before_any_work(tmp_path, monkeypatch, capsys):
    monkeypatch.delenv("READMIT_DRIFT_TOKEN", raising=False)
    args = [
        "--reference",
        tmp_path,
        "--current",
        tmp_path,
        "--out",
        tmp_path / "r",
        "--notify",
        "http://127.0.0.1:9/",
    ]
    assert run(*args) == 2
    assert "READMIT_DRIFT_TOKEN is not set" in capsys.readouterr().err


def test_no_drift_posts_nothing():
    from readmit.monitoring.notify import alarming

    quiet = {"dataset_drift": False, "prediction": {"drifted": False}}
    assert not alarming(quiet)
    assert alarming(quiet | {"prediction": {"drifted": True}}) and alarming(quiet | {"dataset_drift": True})


def test_a_reference_that_is_not_the_served_versions_training_set_is_refused(
    cohorts, tmp_path, monkeypatch, capsys
):
    version = register(use_tmp_mlflow(monkeypatch, tmp_path))  # its Data-Version is not the cohort's
    log = write_log(tmp_path / "log.jsonl", index_rows(cohorts["same"]).head(200), version=str(version))
    args = ["--reference", cohorts["reference"], "--current", log, "--out", tmp_path / "r"]
    assert run(*args, "--model-version", version) == 2
    assert "is not the training set of model version" in capsys.readouterr().err
    assert not (tmp_path / "r").exists()


class AgeRisk(mlflow.pyfunc.PythonModel):
    """The risk conftest.write_log logs for a stay, as a registered model computes it from the inputs."""

    def predict(self, context, model_input, params=None):
        if LABEL in model_input.columns:  # the outcome must never reach a model
            raise ValueError("the label was passed to predict")
        age = model_input["age"].astype(int).clip(upper=90)
        return pd.DataFrame({PREDICTION: (0.05 + 0.004 * age / 2).round(4)}, index=model_input.index)


def test_prediction_drift_scores_the_training_set_with_the_served_version(cohorts, tmp_path, monkeypatch):
    """--model-version: the reference (a training set, no scores) is scored by the registered version
    and compared with the risks the log recorded; same population no shift, an older one a PSI shift."""
    use_tmp_mlflow(monkeypatch, tmp_path)
    with mlflow.start_run():
        logged = mlflow.pyfunc.log_model(name="model", python_model=AgeRisk(), pip_requirements=["mlflow"])
    uri = logged.model_uri
    version = register(uri)
    manifest = json.loads((cohorts["reference"] / MANIFEST_FILE).read_text())
    registry.set_version_tags(version, {registry.TAG_DATA_VERSION: manifest["data_version"]})
    found = {}
    for name in ("same", "older-population"):
        log = write_log(tmp_path / f"{name}.jsonl", index_rows(cohorts[name]), version=str(version))
        out = tmp_path / name
        args = ["--reference", cohorts["reference"], "--current", log, "--out", out]
        assert run(*args, "--model-version", version) in (0, 3)
        found[name] = json.loads((out / "drift.json").read_text())["prediction"]
        prom = {f.name: f for f in text_string_to_metric_families((out / "drift.prom").read_text())}
        assert prom["readmit_prediction_psi"].samples[0].value == pytest.approx(found[name]["statistic"])
    assert found["same"]["method"] == "psi" and found["same"]["threshold"] == DEFAULT.prediction_threshold
    assert found["same"]["drifted"] is False and found["same"]["statistic"] < 0.05
    assert found["older-population"]["drifted"] is True
    assert found["older-population"]["statistic"] >= DEFAULT.prediction_threshold
