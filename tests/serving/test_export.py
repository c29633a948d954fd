"""`readmit export` writes what Seldon's agent loads, from the registry, and nothing on bad input."""

from __future__ import annotations

import json

import pandas as pd

from readmit import registry
from readmit.cli import main
from readmit.serving import server
from readmit.serving.contract import INPUTS


def test_folder_holds_settings_model_and_validated_example(served_model):
    out = served_model["exported"]
    settings = json.loads((out / "model-settings.json").read_text())
    info = registry.version_info(1)
    assert settings["implementation"] == "readmit.serving.runtime.ReadmissionRuntime"
    assert settings["name"] == "readmission" and settings["parameters"]["version"] == "1"
    assert settings["parameters"]["uri"] == "./model" and (out / "model" / "MLmodel").is_file()
    assert [i["name"] for i in settings["inputs"]] == list(INPUTS)
    extra = settings["parameters"]["extra"]
    assert extra["thresholds"]["high"] == float(info.tags[registry.TAG_THRESHOLD])
    assert extra["thresholds"]["medium"] <= extra["thresholds"]["high"]
    assert extra["model_digest"] == info.model_digest == registry.model_digest(out / "model")

    example = json.loads((out / "example-request.json").read_text())
    keys = next(i["data"] for i in example["inputs"] if i["name"] == "encounter_key")
    index = pd.read_parquet(served_model["data"] / "index.parquet")
    assert len(keys) == 3 and set(keys) <= set(index["encounter_key"])


def test_agent_layout_keeps_what_seldons_agent_keeps(served_model, tmp_path):
    name = server.agent_layout(served_model["exported"], tmp_path / "models", "readmission", seldon_version=4)
    settings = json.loads((tmp_path / "models" / name / "4" / "model-settings.json").read_text())
    assert name == "readmission_4" and settings["name"] == "readmission_4"
    assert settings["parameters"]["version"] == "4"
    assert settings["parameters"]["extra"]["registered_version"] == "1"  # what the inference log records


def test_unknown_alias_is_one_line_exit_2_and_writes_nothing(served_model, tmp_path, capsys):
    out = tmp_path / "never"
    try:
        main(["export", "--alias", "no-such-alias", "--out", str(out)])
    except SystemExit as exc:
        assert exc.code == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("readmit: error: alias 'no-such-alias'")
    assert not out.exists() and not list(tmp_path.iterdir())


def test_version_and_alias_together_are_refused(served_model, tmp_path, capsys):
    try:
        main(["export", "--version", "1", "--alias", "candidate", "--out", str(tmp_path / "x")])
    except SystemExit as exc:
        assert exc.code == 2
    assert "exactly one of --version N or --alias" in capsys.readouterr().err
    assert not (tmp_path / "x").exists()
