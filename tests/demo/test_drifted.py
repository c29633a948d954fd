"""Part 3's canary step with its commands and servers stood in for: `readmit canary analyze --apply
--push origin` makes and pushes the verdict's branch, the demo reads which one from the analysis folder
(readmit.canary.record) and merges it; a hold merges nothing."""

from __future__ import annotations

import contextlib
from pathlib import Path
from unittest.mock import create_autospec

import pandas as pd
import pytest

from readmit.canary import record
from readmit.demo import drifted, traffic
from readmit.demo.workspace import Workspace


@pytest.fixture
def canary(tmp_path: Path, repo_root: Path, monkeypatch):
    """`run(decision, branch)`: drifted.canary with that verdict; returns (commands, merge fake, result)."""
    ws = Workspace(tmp_path, tmp_path / "remote.git", repo_root, "main", tmp_path / "run", 1, {})
    ws.env["READMIT_INFERENCE_LOG"] = str(ws.run / "inference.jsonl")
    cohort = drifted.Cohort(None, tmp_path / "dataset", tmp_path / "train", 2, True)
    commands: list[list[str]] = []
    verdict: dict[str, str] = {}

    def readmit(args, env, cwd=None, outcomes=(0,)):
        commands.append(args)
        if args[:2] == ["canary", "analyze"]:
            out = Path(args[args.index("--out") + 1])
            out.mkdir(parents=True)
            record.write_analysis(out, {"decision": verdict["decision"]})
            if verdict["branch"]:
                record.write_applied(out, verdict["branch"], "c0ffee", "origin")
        return 0

    @contextlib.contextmanager
    def serving(ws, env):
        yield "http://127.0.0.1:1"

    merged = create_autospec(drifted.merge, return_value="c0ffee")
    monkeypatch.setattr(drifted.shell, "readmit", readmit)
    monkeypatch.setattr(drifted, "serving", serving)
    monkeypatch.setattr(drifted, "merge", merged)
    monkeypatch.setattr(drifted, "load", lambda *a, **k: (pd.DataFrame({"encounter_key": ["e"]}), None))
    monkeypatch.setattr(drifted, "outcomes", lambda ws, dataset: tmp_path / "outcomes.csv")
    monkeypatch.setattr(traffic, "load", lambda *a, **k: {})
    monkeypatch.setattr(traffic, "mirrored", lambda *a, **k: 0)

    def run(decision: str, branch: str = ""):
        verdict.update(decision=decision, branch=branch)
        return commands, merged, drifted.canary(ws, cohort, 3, 2, seed=7)

    return run


def test_the_verdict_is_pushed_by_canary_analyze_and_its_branch_merged(canary):
    commands, merged, verdict = canary("advance", "promote/dev/v2-canary-50")
    analyze = next(c for c in commands if c[:2] == ["canary", "analyze"])
    assert analyze[analyze.index("--push") + 1] == "origin" and "--apply" in analyze
    assert verdict == "promote/dev/v2-canary-50"
    assert [call.args[1] for call in merged.call_args_list] == [
        "promote/dev/v2-shadow",
        "promote/dev/v2-canary",
        "promote/dev/v2-canary-50",
    ]


def test_a_hold_commits_and_merges_nothing(canary):
    _, merged, verdict = canary("hold")
    assert verdict is None
    assert [call.args[1] for call in merged.call_args_list] == [
        "promote/dev/v2-shadow",
        "promote/dev/v2-canary",
    ]
