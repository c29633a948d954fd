"""Part 3: the data moves. The hospital's coding practice changes: part 1's cohort (same patients, same
seed) re-exported with the same events coded more specifically (`readmit data synth --drift
new-coding-practice`). It is ingested and compared with the live version's training data (`readmit
drift`), and a second version trained on it goes live the careful way: gate, shadow (mirror 100%),
traffic, 10% canary, traffic, `readmit canary analyze --apply` with the cohort's outcomes, and the
verdict's commit merged.

Why the same patients: the dev gate compares the new version's test metrics with the champion's, each on
its own test split. A fresh cohort moves AUPRC with its prevalence (0.58 against 0.65 at 1,500 patients,
prevalence 0.12 against 0.15) and `older-population` lowers ROC-AUC (0.74 against 0.87): the gate then
rightly refuses the version and nothing could be canaried. With the same patients only the coding moved.

Why the training seed is the next one: the second version is a new training run, so its grouped split is
drawn afresh. The split hashes the pseudonymous patient keys with the seed, so it also follows the pseudonym
key. In one run at 1,500 patients, seed 7, the same-split retrain failed the dev AUPRC gate by 0.002 (0.5842
against 0.5966, tolerance 0.01) and the next seed passed. The gate compares metrics on different test rows,
so whether a retrain passes depends on the draw; the tests fix the key to make the run repeatable. A
refusal is an outcome, not a fault: the demo says what it means and goes on to the audit without a shadow
or canary (readmit.demo.run.refused).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from readmit.canary import record
from readmit.demo import shell, traffic
from readmit.demo.serve import serving
from readmit.demo.workspace import REMOTE, Workspace, merge
from readmit.errors import CheckFailed
from readmit.schema import LABEL
from readmit.training.data import load

DRIFT = "new-coding-practice"
SHADOW_PERCENT = 100
CANARY_WEIGHT = 10


@dataclass(frozen=True)
class Cohort:
    export: Path | None
    dataset: Path
    train: Path
    version: int
    gate_passed: bool  # False: the gate refused the version, so it is not promoted (module docstring)


def cohort(ws: Workspace, patients: int, seed: int) -> Cohort:
    """Synthesize the drifted cohort, ingest and validate it, train and register a version on it, gate it."""
    out = ws.run / "drifted"
    export, dataset, train = out / "fhir-export", out / "dataset", out / "train"
    shell.readmit(
        ["data", "synth", "--patients", str(patients), "--seed", str(seed), "--drift", DRIFT]
        + ["--out", str(export), "--truth", str(out / "ground-truth.csv")],
        ws.env,
    )
    shell.readmit(
        ["data", "ingest", "--source", "fhir", "--input", str(export), "--out", str(dataset)], ws.env
    )
    shell.readmit(["data", "validate", str(dataset)], ws.env)
    train_seed = str(seed + 1)  # a new training run: its own split (module docstring)
    shell.readmit(["train", "--data", str(dataset), "--seed", train_seed, "--out", str(train)], ws.env)
    return Cohort(export, dataset, train, *_registered(ws, out))


def challenger(ws: Workspace, dataset: Path, seed: int) -> Cohort:
    """With DATA (no second cohort of the same source at hand): a challenger trained on the same data with
    the temporal split, gated; its drift report compares the served traffic with the training data."""
    train = ws.run / "challenger" / "train"
    shell.readmit(
        ["train", "--data", str(dataset), "--split", "temporal", "--seed", str(seed), "--out", str(train)],
        ws.env,
    )
    return Cohort(None, dataset, train, *_registered(ws, train.parent))


def _registered(ws: Workspace, out: Path) -> tuple[int, bool]:
    """The version `readmit train` just registered (alias candidate), and whether it passed the target
    environment's gate: a refusal (exit 1) is an outcome of the loop, not a failure of the demo."""
    found = out / "model-version.txt"
    shell.readmit(["pipeline", "result", "model-version", "--alias", "candidate", "--to", str(found)], ws.env)
    version = int(found.read_text().strip())
    code = shell.readmit(
        ["gate", "--version", str(version), "--env", ws.target()],
        ws.env,
        cwd=ws.checkout,
        outcomes=(0, CheckFailed.exit_code),
    )
    return version, code == 0


def drift_report(ws: Workspace, reference: Path, current: Path, served: int | None = None) -> Path:
    """`served`: the version whose traffic `current` (an inference log) holds (`--model-version`)."""
    out = ws.run / "drift-report"
    shell.readmit(
        ["drift", "--reference", str(reference), "--current", str(current), "--out", str(out)]
        + ([] if served is None else ["--model-version", str(served)]),
        ws.env,
    )
    return out


def promote(ws: Workspace, version: int, how: list[str], branch: str, reason: str) -> Path:
    """`readmit promote` in the demo's checkout, pushed as a pull request and merged."""
    pr = ws.run / "pull-requests" / f"{branch.replace('/', '-')}.md"
    pr.parent.mkdir(parents=True, exist_ok=True)
    shell.readmit(
        ["promote", "--env", ws.target(), "--version", str(version), *how, "--reason", reason]
        + ["--branch", branch, "--repo", str(ws.checkout), "--push", REMOTE, "--pr-out", str(pr)],
        ws.env,
        cwd=ws.checkout,
    )
    merge(ws, branch)
    return pr


def outcomes(ws: Workspace, dataset: Path) -> Path:
    """The cohort's observed readmissions (encounter_key,label): what the hospital learns 30 days later."""
    rows, _ = load(dataset)
    path = ws.run / "outcomes.csv"
    rows[["encounter_key", LABEL]].rename(columns={LABEL: "label"}).to_csv(path, index=False)
    return path


def canary(ws: Workspace, c: Cohort, shadow_requests: int, canary_requests: int, seed: int) -> str | None:
    """Shadow, canary, analysis; returns the verdict's branch (None for a hold, which changes nothing)."""
    env, v = ws.target(), c.version
    rows = load(c.dataset, with_label=False)[0]
    promote(ws, v, ["--mirror", str(SHADOW_PERCENT)], f"promote/{env}/v{v}-shadow", f"demo: shadow v{v}")
    with serving(ws, env) as base:
        traffic.load(base, rows, shadow_requests, seed)
        traffic.mirrored(Path(ws.env["READMIT_INFERENCE_LOG"]), v, shadow_requests)
    promote(ws, v, ["--weight", str(CANARY_WEIGHT)], f"promote/{env}/v{v}-canary", f"demo: canary v{v}")
    with serving(ws, env) as base:
        traffic.load(base, rows, canary_requests, seed + 1)
    pr, analysis = ws.run / "pull-requests" / "canary-verdict.md", ws.run / "canary-analysis"
    shell.readmit(
        ["canary", "analyze", "--env", env, "--log", ws.env["READMIT_INFERENCE_LOG"]]
        + ["--outcomes", str(outcomes(ws, c.dataset)), "--apply", "--repo", str(ws.checkout)]
        + ["--push", REMOTE, "--out", str(analysis), "--pr-out", str(pr)],
        ws.env,
        cwd=ws.checkout,
    )
    verdict = record.applied_branch(analysis)  # "" for a hold
    if not verdict:
        return None
    merge(ws, verdict)
    return verdict
