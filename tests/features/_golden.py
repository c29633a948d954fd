"""Frozen feature matrices: the inputs they were computed from, and how to (re)write them.

The golden files hold the tabular matrix and the step vectors computed by the row-by-row feature code
that the vectorised code replaced (commit 00f6e63); `test_golden.py` requires the current code to give
the same columns, order, dtypes and values (1e-12). Inputs: the synthetic test frames with hostile edits
(undated and out-of-order history, future events, odd classes, unusable values), a small synthetic FHIR
cohort through ingest, and the first stays of the UCI file through ingest (kept as a digest only:
its values derive from the shared data set, which is never copied in). Each is featurised with the
default blocks and with every optional block, so every branch of the feature code is covered.
The synthetic cohort's files were rewritten by the current code when FHIR ingest moved to the one-year
history window (readmit.data.window): its input rows changed, the feature code did not.

    PYTHONPATH=model-src/src:tests python tests/features/_golden.py   # rewrite (only on purpose)
"""

from __future__ import annotations

import hashlib
import io
import json
import sys
import tempfile
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd

from readmit import paths
from readmit.data import ingest
from readmit.data.synth import generate
from readmit.features import build, steps
from training._frames import make_index

GOLDEN = Path(__file__).parent / "golden"
KEY = b"golden-feature-test-key-not-a-secret"
MAX_STEPS = 5
UCI_ROWS = 1500
SPECS = {"default": build.DEFAULT_BLOCKS, "all_blocks": build.BLOCKS}


def _hostile(df: pd.DataFrame) -> pd.DataFrame:
    """Edits that reach the rarely taken branches: undated stays, future and shuffled history, odd values."""
    rng = np.random.default_rng(17)
    out = df.copy()
    histories, labs, extras = [], [], []
    for i, row in enumerate(out.itertuples()):
        history = json.loads(row.history)
        if i % 5 == 1:  # an event after the index discharge, and one before it with another class
            history.append(
                {
                    "encounter_seq": row.encounter_seq + 1,
                    "encounter_class": "inpatient",
                    "admit_day": row.discharge_day + 3.0,
                    "discharge_day": row.discharge_day + 9.0,
                    "los_days": 6.0,
                    "dx_codes": ["I50.9"],
                    "med_codes": ["insulin"],
                    "proc_codes": [],
                    "labs": {"creatinine": [[row.discharge_day + 4.0, 9.0]]},
                }
            )
            history.append(
                {
                    "encounter_seq": -1,
                    "encounter_class": ["emergency", "outpatient", "ambulatory"][i % 3],
                    "admit_day": row.admit_day - 12.5,
                    "discharge_day": row.admit_day - 12.0,
                    "dx_codes": '["J44.1", "E11.9"]',
                    "labs": {"glucose": [[None, 210.0], [1.0, 90.0]]},
                }
            )
        if i % 7 == 2:  # undated history: kept by sequence number only
            history.append(
                {
                    "encounter_seq": row.encounter_seq - 1,
                    "encounter_class": "emergency",
                    "los_days": "3",
                    "dx_codes": ["C34.90"],
                    "med_codes": None,
                }
            )
        if i % 11 == 3:
            history.append("not an entry")
            history.append({"encounter_class": "inpatient", "discharge_day": True})
        rng.shuffle(history)
        histories.append(json.dumps(history))
        lab = json.loads(row.labs)
        if i % 4 == 0:
            lab.setdefault("creatinine", []).append([row.discharge_day + 1.0, 7.5])
            lab["hba1c"] = [[row.admit_day, 8.1], [None, 6.0], [row.admit_day - 1, 7.0], ["x", 5.0], [1.0]]
            lab["unknown_lab"] = [[row.admit_day, 1.0]]
        labs.append(json.dumps(lab) if i % 13 != 5 else "not json")
        extra = json.loads(row.extra)
        extra |= {"n_visits": i % 4, "specialty": ["Cardiology", "Surgery-General", None][i % 3]}
        if i % 6 == 0:
            extra |= {
                "medical_specialty": "Cardiology",
                "admission_source_id": 7,
                "med_status": {"insulin": ["Up", "Down", "Steady"][i % 3], "metformin": "Up"},
            }
        extras.append(json.dumps(extra))
    out["history"], out["labs"], out["extra"] = histories, labs, extras
    out.loc[out.index % 9 == 4, "discharge_day"] = np.nan  # no days: the sequence-number rule
    out.loc[out.index % 10 == 6, "age"] = np.nan
    out.loc[out.index % 8 == 3, "admission_acuity"] = None
    out.loc[out.index % 12 == 7, "dx_system"] = None
    out.loc[out.index % 15 == 2, "dx_codes"] = json.dumps(["250.01", "V57", "E888", "428"])
    out.loc[out.index % 15 == 2, "dx_system"] = "icd9"
    return out


def synthetic_frames() -> pd.DataFrame:
    return _hostile(make_index(160, seed=8)).reset_index(drop=True)


def synthetic_cohort(root: Path) -> pd.DataFrame:
    generate.run(120, 11, root / "export", None)
    index, _, _ = ingest.build("fhir", root / "export", KEY, min_k=1)
    return index


def uci_sample(root: Path) -> pd.DataFrame | None:
    source = paths.uci_dataset()
    if not source.exists():
        return None
    with zipfile.ZipFile(source) as zf:
        name = next(n for n in zf.namelist() if n.endswith("diabetic_data.csv"))
        lines = io.TextIOWrapper(zf.open(name), encoding="utf-8").readlines()[: UCI_ROWS + 1]
    (root / "diabetic_data.csv").write_text("".join(lines))
    index, _, _ = ingest.build("uci", root / "diabetic_data.csv", KEY, min_k=1)
    return index


def datasets(root: Path) -> dict[str, pd.DataFrame]:
    out = {"synthetic_frames": synthetic_frames(), "synthetic_cohort": synthetic_cohort(root)}
    if (uci := uci_sample(root)) is not None:
        out["uci_sample"] = uci
    return out


def digest(df: pd.DataFrame) -> str:
    return hashlib.sha256(
        pd.util.hash_pandas_object(df.astype(str), index=True).to_numpy().tobytes()
    ).hexdigest()


def features(df: pd.DataFrame, blocks) -> dict[str, np.ndarray]:
    spec = build.fit_spec(df, blocks=blocks)
    events = build.timelines(df)
    table = build.tabular(df, spec, events)
    seq, lengths = steps.vectors(events, MAX_STEPS, spec)
    return {
        "columns": np.array(list(table.columns)),
        "dtypes": np.array([str(t) for t in table.dtypes]),
        "values": table.to_numpy(),
        "steps": seq,
        "lengths": lengths,
    }


def matrix_digest(out: dict[str, np.ndarray]) -> str:
    """SHA-256 of the values and steps rounded to 1e-9, and the lengths: what is frozen for the UCI sample,
    whose feature values are derived from the shared data set and so are not copied into the repository."""
    h = hashlib.sha256()
    for part in (np.round(out["values"], 9), np.round(out["steps"].astype(np.float64), 9), out["lengths"]):
        if part.dtype.kind == "f":  # NaN has many bit patterns: one stand-in for all of them
            part = np.where(np.isnan(part), np.inf, part)
        h.update(np.ascontiguousarray(part))
    return h.hexdigest()


def frozen(name: str, out: dict[str, np.ndarray]) -> dict[str, np.ndarray | str]:
    """The synthetic matrices are stored whole; the UCI sample only as columns, dtypes and a digest."""
    if name != "uci_sample":
        return out
    return {"columns": out["columns"], "dtypes": out["dtypes"], "matrix_digest": matrix_digest(out)}


def write() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        for name, df in datasets(Path(tmp)).items():
            for spec_name, blocks in SPECS.items():
                out = frozen(name, features(df, blocks))
                np.savez_compressed(GOLDEN / f"{name}-{spec_name}.npz", input_digest=digest(df), **out)
                print(name, spec_name, out["columns"].shape, file=sys.stderr)  # the UCI sample has no values


if __name__ == "__main__":
    write()
