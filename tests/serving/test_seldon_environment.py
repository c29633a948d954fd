"""The runtime under Seldon's environment: MLServer started as the Server pod starts it (the merged
`mlserver` container of apps/readmission/server.yaml on Seldon's ServerConfig), the model loaded through
the repository API as the agent loads it, and the serving contract holding there."""

from __future__ import annotations

import copy

import numpy as np
import pandas as pd

from readmit import registry
from readmit.evaluation.report import split_report
from readmit.features.clean import clean
from readmit.pyfunc import unwrap
from readmit.serving import inference_log
from readmit.serving.v2 import request_body

from .conftest import mlserver_container
from .test_server import BAD, _example, _outputs


def test_the_server_ran_with_the_env_of_seldons_serverconfig(served_as_seldon, repo_root, seldon_config_dir):
    container = mlserver_container(repo_root, seldon_config_dir)
    literal = {e["name"]: e["value"] for e in container["env"] if "value" in e}
    assert literal["MLSERVER_LOAD_MODELS_AT_STARTUP"] == "false"
    assert literal["MLSERVER_PARALLEL_WORKERS"] == "1"
    assert literal[inference_log.ENV].startswith("/")
    assert set(served_as_seldon.env) == set(literal)
    assert served_as_seldon.env["MLSERVER_LOAD_MODELS_AT_STARTUP"] == "false"


def test_the_model_loads_only_through_the_repository_api(served_as_seldon):
    before = served_as_seldon.before_load
    assert before["ready"] != 200  # not loaded at startup
    status, index = before["index"]
    assert status == 200
    assert [(i["name"], i["state"]) for i in index] == [(served_as_seldon.model, "UNAVAILABLE")]
    assert served_as_seldon.load_status == 200
    status, text = served_as_seldon.get(f"/v2/models/{served_as_seldon.model}/ready")
    assert status == 200
    status, index = served_as_seldon.post({"ready": True}, "/v2/repository/index")
    assert [(i["name"], i["state"]) for i in index] == [(served_as_seldon.model, "READY")]


def test_the_error_contract_holds_under_seldons_environment(served_as_seldon, served_model):
    served = served_as_seldon
    before = len(inference_log.read_requests(served.log)) if served.log.exists() else 0
    for case, change, status, _reason, words in BAD:
        got, body = served.post(change(copy.deepcopy(_example(served_model))))
        assert got == status, (case, got, body)
        assert set(body) == {"error"}, (case, body)
        assert all(w in body["error"] for w in words), (case, body["error"])

    rows, _ = clean(pd.read_parquet(served_model["data"] / "index.parquet"))
    rows = rows.iloc[:40].reset_index(drop=True)
    expected = split_report(unwrap(registry.load_model(1)), rows, "eval", 0, n_boot=2)["scores"]["p"]
    got, body = served.post(request_body(rows))
    assert got == 200, body
    assert np.max(np.abs(np.asarray(_outputs(body)["readmission_risk"]) - expected)) < 1e-9

    # the inference log went where the pod's READMIT_INFERENCE_LOG points
    logged = inference_log.read_requests(served.log).iloc[before:]
    assert list(logged["status"]) == [s for _, _, s, _, _ in BAD] + [200]
    assert list(logged["reason"].iloc[: len(BAD)]) == [r for _, _, _, r, _ in BAD]
