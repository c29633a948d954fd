"""The demo's four parts in order (readmit.demo says what each shows); every step is a `readmit` command
or a request a client would send, printed with its elapsed time."""

from __future__ import annotations

import signal
from dataclasses import dataclass
from pathlib import Path

from readmit.demo import drifted, hooks, retrain, summary, traffic
from readmit.demo.serve import serving
from readmit.demo.shell import ahead, restart_clock, say, stage, total_cpu_seconds
from readmit.demo.workspace import Workspace, merge, open_workspace
from readmit.training.data import load

DEFAULT_PATIENTS = 1500


@dataclass(frozen=True)
class DemoConfig:
    work: Path
    repo: Path
    patients: int = DEFAULT_PATIENTS
    seed: int = 7
    data: Path | None = None  # a UCI zip or FHIR export instead of the synthetic cohort
    scored: int = 8  # stays scored with explanations in part 2
    shadow_requests: int = 320  # the canary analysis needs 300 requests per arm
    canary_requests: int = 60


def run(cfg: DemoConfig) -> Path:
    """Run the loop; returns the audit report. SIGTERM stops it the way Ctrl-C does (servers stopped)."""
    restart_clock()
    cpu = total_cpu_seconds()
    previous = signal.signal(signal.SIGTERM, _interrupt)
    try:
        audit = _loop(cfg)
        say(f"demo done: cpu {total_cpu_seconds() - cpu:.1f} s (this process and every command it ran)")
        return audit
    finally:
        signal.signal(signal.SIGTERM, previous)


def _interrupt(*_):
    raise KeyboardInterrupt


def _loop(cfg: DemoConfig) -> Path:
    ws = open_workspace(cfg.work, cfg.repo)
    seed = cfg.seed + ws.number - 1  # a later demo carries on with a new cohort and the next versions
    env = ws.target()
    with stage(f"1/4 retrain-and-promote (Tekton pipeline, local runner) -> {env}"):
        first = retrain.run(ws, cfg.repo, cfg.patients, seed, cfg.data)
        say(f"pipeline trained v{first.version} and pushed {first.branch}; a reviewer approves it:")
        merge(ws, first.branch)
    # Part 3's second version needs only part 1's cohort, not part 2's server: it is trained while part 2
    # serves (the two share the 2 cores), and its output is shown when part 3 begins.
    if cfg.data is None:
        second_version = (drifted.cohort, ws, cfg.patients, seed)
    else:
        second_version = (drifted.challenger, ws, first.dataset, seed + 1000)
    with ahead(
        "the second version (its data, training, gate)", ws.run / "ahead.log", *second_version
    ) as next_:
        with stage(f"2/4 serve {env} by its Experiment, score stays, explain them, a CDS Hooks card"):
            explain(ws, first, cfg, seed)
        with stage(
            f"3/4 a drifted cohort, a second version: drift report, shadow, {drifted.CANARY_WEIGHT}% canary"
        ):
            second = next_.result()
            if cfg.data is None:
                report = drifted.drift_report(ws, first.dataset, second.dataset)
            if second.gate_passed:
                verdict = drifted.canary(ws, second, cfg.shadow_requests, cfg.canary_requests, seed)
                say(
                    f"canary verdict committed on {verdict}"
                    if verdict
                    else "canary verdict: hold: nothing to commit, the canary keeps its weight"
                    f" (why: {ws.run / 'canary-analysis' / 'analysis.md'})"
                )
            else:
                say(refused(env, second.version, ws.work, cfg.seed))
            if cfg.data is not None:  # the traffic v1 served, against the data it was trained on
                log = Path(ws.env["READMIT_INFERENCE_LOG"])
                report = drifted.drift_report(ws, first.dataset, log, served=first.version)
    with stage("4/4 audit"):
        audit = summary.audit(ws)
    places = {
        "pipeline run": first.run_dir,
        f"model card v{first.version}": first.model_card,
        f"model card v{second.version}": second.train / "MODEL_CARD.md",
        "pull requests": f"{first.pull_request}, {ws.run / 'pull-requests'}/",
        "drift report": report / "report.html",
        **({"canary analysis": ws.run / "canary-analysis" / "analysis.html"} if second.gate_passed else {}),
        "audit report": audit,
        "inference log": ws.env["READMIT_INFERENCE_LOG"],
    }
    print(summary.where(ws, places), flush=True)
    return audit


def refused(env: str, version: int, work: Path, seed: int) -> str:
    """What a refused second version means to the user: an outcome of the loop, not a fault."""
    return (
        f"the {env} gate refused v{version} (the lines above say which metric fell short): the gate at work,"
        " not a fault; each version is measured on its own test split, so a retrain can miss on one draw."
        " Nothing was promoted, so there is no shadow or canary this time; to see them, start over with"
        f" another draw: remove {work} and run `readmit demo --seed {seed + 1}`."
    )


def explain(ws: Workspace, first: retrain.Retrained, cfg: DemoConfig, seed: int) -> None:
    rows = load(first.dataset, with_label=False)[0]
    sample = rows.sample(n=min(cfg.scored, len(rows)), random_state=seed)
    export = first.source / "data" / "fhir-export" if cfg.data is None else cfg.data
    request = hooks.discharge_request(export) if export.is_dir() else None
    with serving(ws, ws.target()) as base:
        traffic.explained(base, sample)
        if request is None:
            say(f"{export}: no FHIR stays to send as a CDS Hooks request (the UCI data set has none)")
        else:
            traffic.cds_card(base, request)
