"""The router follows the Experiment as Seldon's Envoy does: split by weight, x-seldon-route and sticky
re-sends, mirror answers logged and never returned, the serving 4xx contract kept."""

from __future__ import annotations

import copy
import gzip
import json
import time

import httpx
import pytest

from readmit.serving import inference_log
from readmit.serving.server import free_port
from readmit.traffic import cds, router
from traffic.conftest import InThread, binomial_999, example, models_yaml, table_of
from traffic.test_cds import KEY, hook_requests

HEADERS = {"seldon-model": "readmission.experiment"}


def one_stay(versions) -> bytes:
    body = example(versions)
    for i in body["inputs"]:
        i["data"], i["shape"] = i["data"][:1], [1]
    body["parameters"] = {"explain": False}
    return json.dumps(body).encode()


@pytest.fixture
def routed(mlserver):
    made = []

    def start(text: str):
        upstream = router.Upstream(table_of(text), mlserver.base)
        running = InThread(router.app(upstream))
        running.upstream = upstream
        made.append(running)
        return running

    yield start
    for running in made:
        running.close()


def test_split_follows_the_weights_and_names_the_route(routed, versions):
    running = routed(models_yaml({1: 90, 2: 10}, default=1))
    body, n = one_stay(versions), 2000
    counts = {}
    with httpx.Client(base_url=running.base, headers=HEADERS) as client:
        for _ in range(n):
            r = client.post("/v2/models/readmission/infer", content=body)
            assert r.status_code == 200, r.text
            route = r.headers["x-seldon-route"]
            assert route == f":{r.json()['model_name']}:"
            counts[route] = counts.get(route, 0) + 1
    assert set(counts) == {":readmission-v1_1:", ":readmission-v2_1:"}
    low, high = binomial_999(n, 0.1)
    assert low <= counts[":readmission-v2_1:"] <= high, counts


def test_without_the_header_the_default_endpoint_splits_too(routed, versions):
    running = routed(models_yaml({1: 50, 2: 50}, default=1))
    seen = set()
    with httpx.Client(base_url=running.base) as client:
        for _ in range(40):
            seen.add(
                client.post("/v2/models/readmission/infer", content=one_stay(versions)).headers[
                    "x-seldon-route"
                ]
            )
    assert seen == {":readmission-v1_1:", ":readmission-v2_1:"}


def test_re_sent_route_is_sticky(routed, versions):
    running = routed(models_yaml({1: 50, 2: 50}, default=1))
    body = one_stay(versions)
    with httpx.Client(base_url=running.base, headers=HEADERS) as client:
        for _ in range(30):
            first = client.post("/v2/models/readmission/infer", content=body)
            route = first.headers["x-seldon-route"]
            for _ in range(5):
                again = client.post(
                    "/v2/models/readmission/infer", content=body, headers={"x-seldon-route": route}
                )
                assert again.headers["x-seldon-route"] == route
                assert f":{again.json()['model_name']}:" == route
        unknown = client.post(
            "/v2/models/readmission/infer", content=body, headers={"x-seldon-route": ":readmission-v9_1:"}
        )
    assert unknown.status_code == 404 and "x-seldon-route" in unknown.json()["error"]


def test_mirror_answers_are_logged_and_never_returned(routed, versions, mlserver):
    running = routed(models_yaml({1: 100}, default=1, mirror=(2, 100)))
    before = inference_log.read_requests(mlserver.log) if mlserver.log.exists() else None
    seen_before = {v: int((before["version"] == v).sum()) if before is not None else 0 for v in ("1", "2")}
    n = 60
    with httpx.Client(base_url=running.base, headers=HEADERS) as client:
        answers = [client.post("/v2/models/readmission/infer", content=one_stay(versions)) for _ in range(n)]
    assert {a.headers["x-seldon-route"] for a in answers} == {":readmission-v1_1:"}
    assert {a.json()["model_name"] for a in answers} == {"readmission-v1_1"}
    deadline = time.monotonic() + 120
    while running.upstream.mirrored < n and time.monotonic() < deadline:
        time.sleep(0.1)
    assert running.upstream.mirrored == n
    logged = inference_log.read_requests(mlserver.log)
    assert int((logged["version"] == "2").sum()) - seen_before["2"] == n
    assert int((logged["version"] == "1").sum()) - seen_before["1"] == n


def test_bad_input_keeps_the_4xx_contract_through_the_router(routed, versions):
    running = routed(models_yaml({1: 90, 2: 10}, default=1))
    bad = copy.deepcopy(example(versions))
    bad["inputs"] = [i for i in bad["inputs"] if i["name"] != "age"]
    with httpx.Client(base_url=running.base, headers=HEADERS) as client:
        r = client.post("/v2/models/readmission/infer", json=bad)
        malformed = client.post("/v2/models/readmission/infer", content=b'{"inputs": [ not json')
        not_v2 = client.post("/v2/models/readmission/infer", json={"inputs": ["Jane Marple"]})
        ok = client.post("/v2/models/readmission/infer", json=example(versions))
        other = client.post("/v2/models/readmission/infer", json=bad, headers={"seldon-model": "nope"})
    assert r.status_code == 400 and set(r.json()) == {"error"} and "'age'" in r.json()["error"]
    assert r.headers["x-seldon-route"] in (":readmission-v1_1:", ":readmission-v2_1:")
    # MLServer's own guard (readmit-mlserver) answers these; the router passes its answers through
    assert malformed.status_code == 400 and "malformed JSON at byte" in malformed.json()["error"]
    assert not_v2.status_code == 422 and "inputs.0: model_attributes_type" in not_v2.json()["error"]
    assert "Marple" not in not_v2.text
    assert ok.status_code == 200 and len(ok.json()["outputs"][0]["data"]) == 3
    assert other.status_code == 404


def test_cds_service_alone_scores_through_a_seldon_endpoint(routed, versions, synthea_dir, monkeypatch):
    """`readmit cds` (apps/cds-hooks) in front of an endpoint that routes as Envoy does (the router): the
    card's version is the one x-seldon-route names."""
    monkeypatch.setenv("READMIT_PSEUDONYM_KEY", KEY)
    mesh = routed(models_yaml({1: 50, 2: 50}, default=1))
    service = InThread(cds.app(mesh.base))
    try:
        seen = set()
        with httpx.Client(base_url=service.base, timeout=60) as client:
            for request in hook_requests(synthea_dir)[:12]:
                answer = client.post("/cds-services/readmission-risk", json=request)
                assert answer.status_code == 200, answer.text
                (card,) = answer.json()["cards"]
                seen.add(card["source"]["label"])
    finally:
        service.close()
    assert seen == {"Readmission risk model v1", "Readmission risk model v2"}


def test_a_gzip_body_reaches_mlserver_with_its_encoding_and_is_scored_like_the_plain_one(routed, versions):
    running = routed(models_yaml({1: 100}, default=1))
    body = one_stay(versions)
    zipped = {**HEADERS, "content-encoding": "gzip"}
    with httpx.Client(base_url=running.base, headers=HEADERS) as client:
        plain = client.post("/v2/models/readmission/infer", content=body)
        packed = client.post("/v2/models/readmission/infer", content=gzip.compress(body), headers=zipped)
        planted = gzip.compress(b'{"inputs": ["Jane Marple"]}')
        not_v2 = client.post("/v2/models/readmission/infer", content=planted, headers=zipped)
        not_gzip = client.post("/v2/models/readmission/infer", content=body, headers=zipped)
    assert plain.status_code == packed.status_code == 200, packed.text
    assert packed.json()["outputs"] == plain.json()["outputs"]
    assert not_v2.status_code == 422 and "inputs.0" in not_v2.json()["error"] and "Marple" not in not_v2.text
    assert not_gzip.status_code == 400 and set(not_gzip.json()) == {"error"}


def test_an_unreachable_model_server_gets_503_in_the_error_contract_on_every_path(versions):
    upstream = router.Upstream(table_of(models_yaml({1: 100}, default=1)), f"http://127.0.0.1:{free_port()}")
    running = InThread(router.app(upstream))
    try:
        with httpx.Client(base_url=running.base, headers=HEADERS) as client:
            scored = client.post("/v2/models/readmission/infer", content=one_stay(versions))
            health = client.get("/v2/health/ready")
    finally:
        running.close()
    for answer in (scored, health):
        assert answer.status_code == 503, answer.text
        assert answer.headers["content-type"] == "application/json"
        assert answer.json()["error"].startswith("model server unreachable (")
    assert scored.headers["x-seldon-route"] == ":readmission-v1_1:"
