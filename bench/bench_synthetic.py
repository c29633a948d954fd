"""Acceptance on synthetic cohorts: hybrid AUC vs the generator's oracle AUC, and what the sequence model
adds over LightGBM alone with the history signal on and off.

For each setting: `readmit data synth` (ground truth kept outside the export), `readmit data ingest
--source fhir`, then the training pipeline's patient-grouped split and fit. The oracle AUC scores the
test rows with the generator's true risk (joined through the keyed pseudonym of the encounter id).
Also reports LightGBM without the aggregated-history columns, to show how much of the history signal
the hand-made aggregates carry. BENCH_SYNTH_PATIENTS sets the cohort size (default 15000),
BENCH_SYNTH_SIGNALS the settings (default on,off).
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
from _results import quick, record

REPO = Path(__file__).resolve().parents[1]
READMIT = str(Path(sys.executable).with_name("readmit"))
HISTORY_PREFIXES = ("hist_", "lab_")


def paired_gap_ci(y, a, b, n_boot=300, seed=0):
    from sklearn.metrics import roc_auc_score

    rng = np.random.default_rng(seed)
    gaps = []
    for _ in range(n_boot):
        idx = rng.integers(0, len(y), len(y))
        if len(np.unique(y[idx])) == 2:
            gaps.append(roc_auc_score(y[idx], a[idx]) - roc_auc_score(y[idx], b[idx]))
    return np.percentile(gaps, 2.5), np.percentile(gaps, 97.5)


def lgbm_without_history(frames, seed):
    from readmit.evaluation.metrics import auc
    from readmit.features import build
    from readmit.models import lgbm

    spec = build.fit_spec(frames["train"])
    tables = {s: build.tabular(frames[s], spec) for s in ("train", "val", "test")}
    keep = [c for c in tables["train"].columns if not c.startswith(HISTORY_PREFIXES)]
    booster = lgbm.fit(
        tables["train"][keep],
        frames["train"]["label"].to_numpy(),
        tables["val"][keep],
        frames["val"]["label"].to_numpy(),
        {},
        seed,
    )
    return auc(frames["test"]["label"].to_numpy(), lgbm.predict(booster, tables["test"][keep]))


def one(signal: str, patients: int, tmp: Path, env: dict) -> None:
    from sklearn.metrics import roc_auc_score

    from readmit.data.deid import pseudonym
    from readmit.training import data
    from readmit.training.pipeline import fit_and_evaluate, prepare

    start = time.perf_counter()
    truth = tmp / f"truth-{signal}.csv"
    for args in (
        [
            "data",
            "synth",
            "--patients",
            str(patients),
            "--seed",
            "11",
            "--history-signal",
            signal,
            "--out",
            str(tmp / f"fhir-{signal}"),
            "--truth",
            str(truth),
        ],
        [
            "data",
            "ingest",
            "--source",
            "fhir",
            "--input",
            str(tmp / f"fhir-{signal}"),
            "--out",
            str(tmp / f"ingest-{signal}"),
        ],
    ):
        subprocess.run([READMIT, *args], env=env, check=True, capture_output=True)
    df, _ = data.load(tmp / f"ingest-{signal}")
    frames, _ = prepare(df, 42)
    _, doc, reports = fit_and_evaluate(frames, {}, 42, n_boot=50)
    key = env["READMIT_PSEUDONYM_KEY"].encode()
    risk = pd.read_csv(truth)
    risk["encounter_key"] = [pseudonym(key, e) for e in risk["encounter_id"]]
    test = frames["test"].merge(risk[["encounter_key", "probability"]], on="encounter_key", how="left")
    scores = reports["test"]["scores"]
    y = scores["y"]
    oracle = roc_auc_score(test["label"], test["probability"])
    m = doc["metrics"]
    low, high = paired_gap_ci(y, scores["hybrid"], scores["lgbm"])
    print(
        f"history signal {signal}: {len(df)} index stays, test {len(y)} rows / {int(y.sum())} events, "
        f"truth joined for {test['probability'].notna().mean():.0%}"
    )
    print(f"  oracle AUC {oracle:.4f}")
    for c in ("lgbm", "sequence", "hybrid"):
        print(
            f"  {c:9s} val {m[f'{c}_val_roc_auc']:.4f} test {m[f'{c}_test_roc_auc']:.4f} "
            f"({m[f'{c}_test_roc_auc'] / oracle:.3f} x oracle)"
        )
    print(f"  lgbm without history aggregates: test {lgbm_without_history(frames, 42):.4f}")
    print(f"  LACE test {m['lace_test_roc_auc']:.4f}")
    print(
        f"  hybrid - lgbm test AUC {m['hybrid_test_roc_auc'] - m['lgbm_test_roc_auc']:+.4f} "
        f"(paired bootstrap 95% CI {low:+.4f} to {high:+.4f})"
    )
    print(
        f"  registered choice {doc['selected']}: test {m['test_roc_auc']:.4f} "
        f"({m['test_roc_auc'] / oracle:.3f} x oracle); {time.perf_counter() - start:.0f} s",
        flush=True,
    )
    record(f"synthetic, history signal {signal}: oracle test AUC", oracle, "AUC", note=f"{patients} patients")
    record(f"synthetic, history signal {signal}: registered model test AUC", m["test_roc_auc"], "AUC")


def main() -> None:
    sys.path.insert(0, str(REPO / "model-src" / "src"))
    patients = int(os.environ.get("BENCH_SYNTH_PATIENTS", quick("15000", "2000")))
    env = dict(os.environ)
    env.setdefault("READMIT_PSEUDONYM_KEY", "bench-only-key-not-a-secret-0000")
    os.environ.update(env)
    with tempfile.TemporaryDirectory(prefix="bench-synth-") as tmp:
        for signal in os.environ.get("BENCH_SYNTH_SIGNALS", quick("on,off", "on")).split(","):
            one(signal, patients, Path(tmp), env)


if __name__ == "__main__":
    main()
