"""`readmit evaluate`: re-score a registered version on any ingested data set."""

from __future__ import annotations

import json
from pathlib import Path

from readmit import registry
from readmit.atomic import write_text
from readmit.evaluation.report import split_report
from readmit.features.clean import clean
from readmit.pyfunc import unwrap
from readmit.training import data


def rescore(version: int, data_dir: Path, out: Path | None, seed: int = 0) -> dict:
    bundle = unwrap(registry.load_model(version))
    df, manifest = data.load(data_dir)
    rows, dropped = clean(df)
    report = split_report(bundle, rows, "eval", seed)
    doc = {
        "version": version,
        "data_version": manifest.get("data_version"),
        "dropped": dropped,
        "selected": bundle.selected,
        "threshold": float(bundle.threshold),
        "metrics": {k: float(v) for k, v in sorted(report["metrics"].items())},
        "subgroups": {"eval": report["subgroups"]},
    }
    if out is not None:
        write_text(Path(out) / "metrics.json", json.dumps(doc, indent=2, sort_keys=True))
    return doc
