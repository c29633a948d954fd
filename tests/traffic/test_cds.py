"""`readmit serve --env dev --cds`: the CDS Hooks service on the router's port, fed hook requests built
from the Synthea sample; cards, error answers, the Experiment's split, no PHI anywhere, clean Ctrl-C."""

from __future__ import annotations

import copy
import gzip
import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from starlette.testclient import TestClient

from readmit.serving import inference_log, server
from readmit.traffic import cds as cds_service
from traffic.conftest import SRC, binomial_999, serve_env_dev_cds

NAME, MRN, STREET = "Wilhelmina Oyelaran-Smythe", "MRN-4471902", "17 Larkspur Crescent"
KEY = "cds-test-pseudonym-key-0123456789abcdef"
HOOK_URL = "/cds-services/readmission-risk"


def _read(folder: Path, kind: str) -> list[dict]:
    out = []
    for path in sorted(folder.glob(f"{kind}.*.ndjson.gz")):
        with gzip.open(path, "rt") as fh:
            out += [json.loads(line) for line in fh if line.strip()]
    return out


def _bundle(resources: list[dict]) -> dict:
    return {"resourceType": "Bundle", "type": "searchset", "entry": [{"resource": r} for r in resources]}


def _subject(r: dict) -> str:
    return (r.get("subject") or {}).get("reference", "").rsplit("/", 1)[-1].removeprefix("urn:uuid:")


def hook_requests(folder: Path) -> list[dict]:
    """One encounter-discharge request per inpatient stay of the sample, with the discovery's prefetch."""
    patients = {p["id"]: p for p in _read(folder, "Patient")}
    encounters = _read(folder, "Encounter")
    kinds = ("Condition", "MedicationRequest", "Procedure")
    by_patient = {k: [r for r in _read(folder, k) if _subject(r)] for k in kinds}
    out = []
    for enc in encounters:
        pid = _subject(enc)
        if enc["class"].get("code") != "IMP" or pid not in patients:
            continue
        mine = [e for e in encounters if _subject(e) == pid]
        out.append(
            {
                "hookInstance": f"test-{enc['id']}",
                "hook": "encounter-discharge",
                "context": {"userId": "Practitioner/1", "patientId": pid, "encounterId": enc["id"]},
                "prefetch": {
                    "patient": patients[pid],
                    "encounter": enc,
                    "encounters": _bundle(mine),
                    "conditions": _bundle([c for c in by_patient["Condition"] if _subject(c) == pid]),
                    "medications": _bundle(
                        [m for m in by_patient["MedicationRequest"] if _subject(m) == pid]
                    ),
                    "procedures": _bundle([p for p in by_patient["Procedure"] if _subject(p) == pid]),
                    "observations": None,
                },
            }
        )
    return out


def planted(request: dict) -> dict:
    request = copy.deepcopy(request)
    patient = request["prefetch"]["patient"]
    patient["name"] = [
        {"use": "official", "text": NAME, "family": NAME.split()[-1], "given": [NAME.split()[0]]}
    ]
    patient["identifier"] = [{"type": {"text": "Medical Record Number"}, "value": MRN}]
    patient.setdefault("address", [{}])[0]["line"] = [STREET]
    return request


class Serving:
    def __init__(self, base: str, proc, out: Path, log: Path, tmp: Path):
        self.base, self.proc, self.out, self.log, self.tmp = base, proc, out, log, tmp


@pytest.fixture(scope="module")
def cds(versions, served_model, repo_root, tmp_path_factory):
    """`readmit serve --env dev --cds` on a copy of the repo whose dev Experiment splits 50/50; stopped
    with SIGINT at the end, which must exit 0 and stop MLServer."""
    tmp = tmp_path_factory.mktemp("cds")
    env = {
        "READMIT_HOME": str(served_model["home"]),
        "READMIT_INFERENCE_LOG": str(tmp / "inference.jsonl"),
        "READMIT_PSEUDONYM_KEY": KEY,
    }
    proc, base, out = serve_env_dev_cds(repo_root, tmp, {1: 50, 2: 50}, env, workers=0)
    try:
        yield Serving(base, proc, out, tmp / "inference.jsonl", tmp)
    finally:
        proc.send_signal(signal.SIGINT)
        code = proc.wait(timeout=240)
    text = out.read_text()
    assert code == 0, text
    assert "router and MLServer stopped" in text
    with pytest.raises(httpx.HTTPError):
        httpx.get(f"{base}/cds-services", timeout=2)


@pytest.fixture(scope="module")
def requests_(synthea_dir):
    found = hook_requests(synthea_dir)
    assert len(found) >= 10
    return found


def test_discovery_names_the_service_hook_and_prefetch(cds):
    services = httpx.get(f"{cds.base}/cds-services").json()["services"]
    assert [(s["id"], s["hook"]) for s in services] == [("readmission-risk", "encounter-discharge")]
    prefetch = services[0]["prefetch"]
    assert set(prefetch) == {
        "patient",
        "encounter",
        "encounters",
        "conditions",
        "medications",
        "procedures",
        "observations",
    }
    assert prefetch["encounter"] == "Encounter/{{context.encounterId}}"
    assert all("{{context.patientId}}" in v for k, v in prefetch.items() if k != "encounter")


def test_cards_for_synthea_stays_follow_the_experiment(cds, requests_):
    versions, n = {}, 80
    with httpx.Client(base_url=cds.base, timeout=60) as client:
        for i in range(n):
            answer = client.post(HOOK_URL, json=requests_[i % len(requests_)])
            assert answer.status_code == 200, answer.text
            body = answer.json()
            if not body["cards"]:
                reason = body["extension"]["io.readmit.reason"]
                assert reason, body
                continue
            (card,) = body["cards"]
            match = re.fullmatch(r"30-day readmission risk: (low|medium|high) \((\d+)%\)", card["summary"])
            assert match, card["summary"]
            assert (
                card["indicator"] == {"low": "info", "medium": "warning", "high": "critical"}[match.group(1)]
            )
            assert "**Top factors for this patient**" in card["detail"]
            assert "**What the model does not know**" in card["detail"]
            assert "the observations the EHR did not send" in card["detail"]
            version = re.fullmatch(r"Readmission risk model v(\d+)", card["source"]["label"]).group(1)
            assert card["source"]["url"].endswith(f"/versions/{version}")
            assert answer.headers["x-seldon-route"] == f":readmission-v{version}_1:"
            versions[version] = versions.get(version, 0) + 1
    scored = sum(versions.values())
    assert scored >= n // 2, versions
    low, high = binomial_999(scored, 0.5)
    assert set(versions) == {"1", "2"} and low <= versions["2"] <= high, versions


def test_requests_that_cannot_be_scored_get_an_answer_not_a_500(cds, requests_):
    good = requests_[0]
    no_prefetch = {k: v for k, v in good.items() if k != "prefetch"}
    no_encounter = copy.deepcopy(good)
    del no_encounter["prefetch"]["encounter"]
    broken = copy.deepcopy(good)
    del broken["prefetch"]["encounter"]["period"]
    wrong_patient = copy.deepcopy(good)
    wrong_patient["context"]["patientId"] = "someone-else"
    ambulatory = copy.deepcopy(good)
    ambulatory["prefetch"]["encounter"]["class"] = {"code": "AMB"}
    no_birth = copy.deepcopy(good)
    del no_birth["prefetch"]["patient"]["birthDate"]
    cases = [
        (no_prefetch, 412),
        (no_encounter, 412),
        (broken, 400),
        (wrong_patient, 400),
        ({**good, "hook": "patient-view"}, 400),
        (b"{not json", 400),
        ({**good, "prefetch": {**good["prefetch"], "conditions": ["not", "fhir"]}}, 400),
    ]
    with httpx.Client(base_url=cds.base, timeout=60) as client:
        for request, status in cases:
            kwargs = {"content": request} if isinstance(request, bytes) else {"json": request}
            answer = client.post(HOOK_URL, **kwargs)
            assert answer.status_code == status, (status, answer.text)
            assert set(answer.json()) == {"error"} and answer.json()["error"]
        for request, words in ((ambulatory, "inpatient"), (no_birth, "birthDate")):
            answer = client.post(HOOK_URL, json=request)
            assert answer.status_code == 200
            assert answer.json()["cards"] == [] and words in answer.json()["extension"]["io.readmit.reason"]


def test_no_phi_from_the_request_is_written_anywhere(cds, requests_, served_model):
    with httpx.Client(base_url=cds.base, timeout=60) as client:
        for request in requests_[:5]:
            assert client.post(HOOK_URL, json=planted(request)).status_code == 200
        broken = planted(requests_[0])
        del broken["prefetch"]["encounter"]["period"]
        assert client.post(HOOK_URL, json=broken).status_code == 400
    time.sleep(1)  # mirror tasks and log writes settle
    assert inference_log.read(cds.log)["patient_key"].str.fullmatch(r"[0-9a-f]{64}").all()
    written = [p for p in cds.tmp.rglob("*") if p.is_file() and "repo" not in p.parts]
    written += [p for p in (served_model["home"] / "serve" / "env-dev").rglob("*") if p.is_file()]
    assert cds.log in written and cds.out in written
    secrets = [NAME, "Oyelaran", MRN, "4471902", STREET, "Larkspur"]
    for path in written:
        text = path.read_bytes().decode("utf-8", errors="ignore")
        for secret in secrets:
            assert secret not in text, (secret, path)


def test_the_cds_service_alone_starts_and_shuts_down_cleanly(monkeypatch):
    """`readmit cds` (apps/cds-hooks): its lifespan closes the client to the Seldon endpoint on shutdown."""
    monkeypatch.setenv("READMIT_PSEUDONYM_KEY", KEY)
    with TestClient(cds_service.app("http://127.0.0.1:9")) as client:
        assert client.get("/cds-services").json()["services"][0]["id"] == "readmission-risk"


def test_readmit_cds_serves_until_ctrl_c_without_loading_the_model_stack(tmp_path):
    """The CDS pod's command: discovery answers, SIGINT exits 0; it never imports torch or MLflow (only
    `readmit serve` exports models), which would cost it seconds and ~250 MB at start."""
    env = {**os.environ, "READMIT_PSEUDONYM_KEY": KEY, "PYTHONPATH": str(SRC)}
    probe = "import sys, readmit.cli.cds; print(sorted({'torch', 'mlflow'} & set(sys.modules)))"
    loaded = subprocess.run([sys.executable, "-c", probe], env=env, capture_output=True, text=True)
    assert loaded.returncode == 0 and loaded.stdout.strip() == "[]", loaded.stderr[-2000:]
    port = server.free_port()
    seldon = "http://127.0.0.1:9"  # never called: no hook request is sent
    command = [sys.executable, "-m", "readmit", "cds", "--seldon-url", seldon, "--port", str(port)]
    with open(tmp_path / "cds.out", "wb") as sink:
        proc = subprocess.Popen(command, env=env, stdout=sink, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 120
        while True:
            assert proc.poll() is None and time.monotonic() < deadline, (tmp_path / "cds.out").read_text()
            try:
                services = httpx.get(f"http://127.0.0.1:{port}/cds-services", timeout=2).json()["services"]
                break
            except httpx.HTTPError:
                time.sleep(0.5)
    finally:
        proc.send_signal(signal.SIGINT)
        code = proc.wait(timeout=60)
    text = (tmp_path / "cds.out").read_text()
    assert [s["id"] for s in services] == ["readmission-risk"]
    assert code == 0 and "Traceback" not in text and "Error" not in text, text
