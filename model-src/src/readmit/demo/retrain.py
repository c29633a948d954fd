"""Part 1: tekton/pipelines/retrain-and-promote, the very YAML the cluster runs, through the local runner
(`readmit pipeline run`): clone the bare remote, synthesize (or ingest DATA), validate, train, evaluate,
gate, scan, export, promote to the first environment and push the promotion branch to the remote."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from readmit.demo import shell
from readmit.demo.workspace import Workspace
from readmit.errors import CheckFailed

PIPELINE = Path("tekton/pipelines/retrain-and-promote/0.1/retrain-and-promote.yaml")
# unit-test would run this repository's whole test suite (minutes); `make test` does that.
SKIP = ("unit-test",)
REASON = "demo: retrained on a new cohort"


@dataclass(frozen=True)
class Retrained:
    version: int
    branch: str
    data_version: str
    source: Path  # the pipeline's checkout: data/dataset, data/train (model card), data/pull-request.md
    run_dir: Path  # pipelinerun.json and every step's log

    @property
    def dataset(self) -> Path:
        return self.source / "data" / "dataset"

    @property
    def model_card(self) -> Path:
        return self.source / "data" / "train" / "MODEL_CARD.md"

    @property
    def pull_request(self) -> Path:
        return self.source / "data" / "pull-request.md"


def params(ws: Workspace, patients: int, seed: int, data: Path | None) -> list[str]:
    """The PipelineRun's params: a synthetic cohort, or DATA (a UCI zip or a FHIR export folder)."""
    values = {
        "REPO_URL": str(ws.bare),
        "REVISION": "HEAD",
        "ENV": ws.target(),
        "SEED": str(seed),
        "REASON": REASON,
        "MLFLOW_TRACKING_URI": ws.mlflow_uri,
    }
    if data is None:
        values["SYNTHETIC_PATIENTS"] = str(patients)
    else:
        values |= {
            "SYNTHETIC_PATIENTS": "0",
            "DATA_SOURCE": "fhir" if data.is_dir() else "uci",
            "DATA_INPUT": str(data.resolve()),
        }
    return [a for k, v in values.items() for a in ("--param", f"{k}={v}")]


def run(ws: Workspace, repo: Path, patients: int, seed: int, data: Path | None) -> Retrained:
    source = ws.run / "pipeline-source"
    runs = ws.work / "pipeline-runs"
    before = set(runs.iterdir()) if runs.is_dir() else set()
    shell.readmit(
        [
            "pipeline",
            "run",
            str(repo / PIPELINE),
            *params(ws, patients, seed, data),
            *("--workspace", f"source={source}", "--jobs", "2"),
            *[a for task in SKIP for a in ("--skip", task)],
        ],
        ws.env,
        cwd=ws.run,
    )
    new = sorted(set(runs.iterdir()) - before)
    if len(new) != 1:
        raise CheckFailed(f"{runs}: expected one new pipeline run, found {len(new)}")
    results = pipeline_results(new[0], ws.target(), ws.work)
    return Retrained(
        int(results["MODEL_VERSION"]), results["PROMOTION_BRANCH"], results["DATA_VERSION"], source, new[0]
    )


def pipeline_results(run_dir: Path, env: str, work: Path) -> dict[str, str]:
    """The PipelineRun's results, as `status.results` of pipelinerun.json has them. A version the gate
    refused (a later run's, against the champion) stops the demo with what that means, not as a fault."""
    status = json.loads((run_dir / "pipelinerun.json").read_text())["status"]
    results = {r["name"]: r["value"] for r in status.get("results", [])}
    if results.get("GATE_RESULT") == "failed":
        raise CheckFailed(
            f"the {env} gate refused v{results.get('MODEL_VERSION', '?')}, which the pipeline trained (the"
            f" gate task's log is in {run_dir}): the gate at work, not a fault, and nothing was promoted."
            f" To see the whole loop, start over: remove {work} and run the demo again."
        )
    missing = {"MODEL_VERSION", "PROMOTION_BRANCH", "DATA_VERSION"} - set(results)
    if missing:
        raise CheckFailed(f"{run_dir}/pipelinerun.json: no result {', '.join(sorted(missing))}; see the logs")
    return results
