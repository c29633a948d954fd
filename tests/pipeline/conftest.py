"""The `runner` fixture: write an inline Pipeline and run it in-process with a throw-away state dir."""

from __future__ import annotations

import json

import pytest

from readmit.pipeline.run import Options, run


@pytest.fixture
def runner(tmp_path, monkeypatch, crd_schema_dir):
    """runner(pipeline_dict, **options) -> (Run, progress lines); JSON is written (it is YAML too)."""
    monkeypatch.setenv("READMIT_HOME", str(tmp_path / "home"))
    lines: list[str] = []

    def go(doc: dict, **options):
        path = tmp_path / "pipeline.yaml"
        path.write_text(json.dumps(doc))
        options.setdefault("run_name", "r")
        return run(path, Options(**options), say=lines.append), lines

    go.lines = lines
    return go
