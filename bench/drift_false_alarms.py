"""False-alarm rate of `readmit drift`'s dataset drift flag: 20 pairs of synthetic cohorts drawn from one
population (`readmit data synth --drift none`, different seeds), each pair ingested and compared with the
default DriftConfig. Also counts how often each drifted scenario is caught against the same references.
Usage: python bench/drift_false_alarms.py [--seeds 20] [--patients 1500]   (a few minutes; not in make test)
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

import pandas as pd

from readmit.data import ingest
from readmit.data.synth import generate
from readmit.monitoring.config import DEFAULT
from readmit.monitoring.drift import analyze

KEY = b"bench-pseudonym-key-0123456789abcdef"


def cohort(root: Path, name: str, seed: int, drift: str, patients: int) -> pd.DataFrame:
    generate.run(patients, seed, root / f"fhir-{name}", drift, True, root / f"{name}.csv", False)
    ingest.run("fhir", root / f"fhir-{name}", root / name, KEY)
    return pd.read_parquet(root / name / "index.parquet")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seeds", type=int, default=20)
    parser.add_argument("--patients", type=int, default=1500)
    parser.add_argument("--first", type=int, default=0, help="first seed (to resume a run)")
    parser.add_argument("--scenarios", default="older-population,new-coding-practice", help="'' for none")
    args = parser.parse_args()
    alarms, caught = 0, dict.fromkeys(filter(None, args.scenarios.split(",")), 0)
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        for seed in range(args.first, args.first + args.seeds):
            reference = cohort(root, f"ref{seed}", 1000 + 2 * seed, "none", args.patients)
            same = cohort(root, f"same{seed}", 1001 + 2 * seed, "none", args.patients)
            result = analyze(reference, same, DEFAULT).summary
            alarms += result["dataset_drift"]
            line = f"seed {seed}: same population -> {'ALARM' if result['dataset_drift'] else 'ok'}"
            line += f" {result['drifted_features']}"
            for scenario in caught:
                shifted = cohort(root, f"{scenario}{seed}", 1001 + 2 * seed, scenario, args.patients)
                flagged = analyze(reference, shifted, DEFAULT).summary["dataset_drift"]
                caught[scenario] += flagged
                line += f"; {scenario} -> {'flagged' if flagged else 'MISSED'}"
            print(line, flush=True)
    print(f"false alarms: {alarms}/{args.seeds}")
    for scenario, n in caught.items():
        print(f"{scenario} flagged: {n}/{args.seeds}")


if __name__ == "__main__":
    main()
