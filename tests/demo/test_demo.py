"""`readmit demo` end to end on a small cohort: the Tekton pipeline into a throw-away bare remote, serving
with explanations and a CDS card, a drifted second version through shadow and canary to a committed
verdict, the audit; and the user's checkout untouched. One run (the session's `demo_run`) feeds every
test."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from readmit import git

# The whole demo: the pipeline, two versions, three servers. tests/conftest.py runs it once per session;
# the group keeps this module and tests/pipeline/test_retrain_and_promote.py (which reads the same run) on
# one xdist worker (`--dist loadgroup` in the Makefile).
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("demo")]


def _ok(demo_run):
    work, result, _, _ = demo_run
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-5000:]
    return work, result


def test_every_part_runs_and_reports_its_progress_and_where_things_are(demo_run):
    work, result = _ok(demo_run)
    for part in ("1/4 retrain-and-promote", "2/4 serve dev", "3/4 a drifted cohort", "4/4 audit"):
        assert re.search(rf"demo: \[ *\d+\.\d s\] == {re.escape(part)}.*: done in \d+\.\d s", result.stderr)
    assert "pipeline retrain-and-promote: Completed" in result.stderr
    assert f"mlflow ui --backend-store-uri sqlite:///{work / 'mlflow.db'}" in result.stdout
    for where in ("model card v1", "model card v2", "drift report", "canary analysis", "audit report"):
        line = next(x for x in result.stdout.splitlines() if x.strip().startswith(where))
        assert Path(line.split()[-1]).is_file(), line
    assert (work / "runs" / "1" / "audit.html").read_text().lstrip().lower().startswith("<!doctype html")


def test_every_merge_syncs_the_registry_so_the_audit_finds_it_in_step_with_git(demo_run):
    """The cluster's registry-sync pipeline runs on each push to main; the demo runs its command after
    each merge, so its own audit reports no alias that differs from environments/<env>/models.yaml."""
    _, result = _ok(demo_run)
    assert "alias dev: unset -> v1" in result.stdout
    assert "registry-sync: alias" not in result.stdout + result.stderr


def test_the_pipeline_pushed_a_promotion_branch_with_its_trailers_and_it_was_merged(demo_run):
    work, _ = _ok(demo_run)
    message = git.run(work / "remote.git", "log", "-1", "--format=%B", "promote/dev/v1")
    for trailer in (
        "Model-Version: 1",
        "Model-Digest: sha256:",
        "Data-Version: sha256:",
        "Gates: dev=passed",
    ):
        assert trailer in message
    assert "Reason: demo: retrained on a new cohort" in message
    status = json.loads(next((work / "pipeline-runs").glob("*/pipelinerun.json")).read_text())["status"]
    assert status["conditions"][0]["reason"] == "Completed"
    branch = git.current(work / "checkout")
    assert git.succeeds(work / "remote.git", "merge-base", "--is-ancestor", "promote/dev/v1", branch)


def test_a_served_prediction_comes_with_an_explanation_that_adds_up(demo_run):
    _, result = _ok(demo_run)
    blocks = re.findall(
        r"risk (\d+\.\d)%, band (low|medium|high), answered by readmission-v1_1\n"
        r"  logit ([-+]\d+\.\d+) = base ([-+]\d+\.\d+) \+ the terms below.*\n((?:  [-+]\d+\.\d+  .*\n)+)",
        result.stdout,
    )
    assert len(blocks) == 2, result.stdout[:3000]
    for _, _, logit, base, terms in blocks:
        parts = [float(line.split()[0]) for line in terms.strip("\n").splitlines()]
        assert len(parts) >= 2
        assert abs(float(base) + sum(parts) - float(logit)) <= 0.0005 * (len(parts) + 2)
    assert re.search(r"CDS Hooks card \((info|warning|critical)\): 30-day readmission risk", result.stdout)
    assert "Readmission risk model v1" in result.stdout


def test_the_drift_report_flags_the_new_coding_practice(demo_run):
    work, _ = _ok(demo_run)
    report = work / "runs" / "1" / "drift-report"
    drift = json.loads((report / "drift.json").read_text())
    assert drift["dataset_drift"] is True
    assert "dx_primary" in drift["drifted_features"]
    assert (report / "report.html").stat().st_size > 10_000


def test_the_canary_verdict_is_a_commit_on_the_remote_with_its_analysis(demo_run):
    work, result = _ok(demo_run)
    remote, checkout = work / "remote.git", work / "checkout"
    shadow = git.run(remote, "log", "-1", "--format=%B", "promote/dev/v2-shadow")
    canary = git.run(remote, "log", "-1", "--format=%B", "promote/dev/v2-canary")
    assert "Model-Version: 2" in shadow and "Model-Version: 2" in canary
    verdict = git.run(remote, "log", "-1", "--format=%B", git.current(checkout))
    assert "Canary-Analysis: " in verdict
    analysis = (work / "runs" / "1" / "canary-analysis" / "analysis.md").read_text()
    assert "Verdict: **" in analysis and "realised ROC-AUC" in analysis
    assert "canary verdict committed on " in result.stderr


def test_the_users_checkout_is_untouched(demo_run):
    _, _, before, after = demo_run
    assert before == after


def test_ctrl_c_stops_the_demo_and_its_server(demo_run, repo_root: Path, tmp_path: Path):
    """SIGINT while `readmit serve` runs for the demo: the server is stopped, then the demo exits."""
    work, _ = _ok(demo_run)
    script = (
        "import sys, time\n"
        "from pathlib import Path\n"
        "from readmit.demo.serve import serving\n"
        "from readmit.demo.workspace import open_workspace\n"
        "ws = open_workspace(Path(sys.argv[1]), Path(sys.argv[2]))\n"
        "with serving(ws, 'dev') as base:\n"
        "    print('READY', base, flush=True)\n"
        "    time.sleep(600)\n"
    )
    proc = subprocess.Popen(
        [sys.executable, "-c", script, str(work), str(repo_root)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        line = next((x for x in proc.stdout if x.startswith("READY")), "")  # readmit serve prints first
        assert line, proc.stderr.read()[-3000:]
        port = line.split(":")[-1].strip()
        serve_pids = _pids_listening(port)
        assert serve_pids
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:  # a failed assertion: let `serving` stop the server (SIGKILL would orphan it)
            proc.send_signal(signal.SIGINT)
            try:
                proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                proc.kill()
    assert proc.returncode != 0 and "KeyboardInterrupt" in err
    assert re.search(r"stopped readmit serve --env dev \(exit \d+; [\d.]+ s, cpu [\d.]+ s", err)
    for pid in serve_pids:
        assert not _alive(pid)


def _pids_listening(port: str) -> list[int]:
    out = subprocess.run(["ss", "-Hltnp", f"sport = :{port}"], capture_output=True, text=True).stdout
    return [int(p) for p in re.findall(r"pid=(\d+)", out)]


def _alive(pid: int) -> bool:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
            if Path(f"/proc/{pid}/stat").read_text().split()[2] == "Z":
                return False  # exited, not yet reaped
        except (ProcessLookupError, FileNotFoundError):
            return False
        time.sleep(0.2)
    return True
