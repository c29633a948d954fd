"""Read what monitoring compares: an ingested training set (a directory) or the serving inference log (a
file, read only through `readmit.serving.inference_log`, the one reader of that format)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from readmit.errors import InputError
from readmit.serving import inference_log
from readmit.training.data import load


def is_log(path: Path) -> bool:
    return Path(path).is_file()


def dataset(path: Path) -> tuple[pd.DataFrame, dict]:
    """(index rows, window) of an ingest directory; the window names its data version."""
    rows, manifest = load(Path(path), with_label=False)
    return rows, {"kind": "dataset", "data_version": manifest.get("data_version"), "rows": int(len(rows))}


def log_rows(path: Path, version: str | None = None) -> tuple[pd.DataFrame, dict]:
    """(scored rows, window) of an inference log, restricted to one model version when given."""
    try:
        rows = inference_log.read(Path(path))
    except (OSError, ValueError) as exc:
        raise InputError(
            f"{path}: not a readable inference log ({type(exc).__name__}); see BRIEF format"
        ) from exc
    rows["version"] = rows["version"].astype(str)
    if version is not None:
        rows = rows[rows["version"] == str(version)]
    if rows.empty:
        which = f" for model version {version}" if version is not None else ""
        raise InputError(f"{path}: no scored rows{which}; send traffic or pick another --model-version")
    counts = rows["version"].value_counts()
    window = {
        "kind": "inference_log",
        "from": rows["ts"].min().isoformat(),
        "to": rows["ts"].max().isoformat(),
        "rows": int(len(rows)),
        "versions": {str(k): int(v) for k, v in counts.items()},
    }
    return rows, window


def load_any(path: Path, version: str | None = None) -> tuple[pd.DataFrame, dict]:
    path = Path(path)
    if not path.exists():
        raise InputError(f"{path}: not found; pass an ingest directory or an inference log file")
    return log_rows(path, version) if is_log(path) else dataset(path)


def default_log(model: str = "readmission") -> Path:
    """Where serving writes the log: READMIT_INFERENCE_LOG, else <state_dir>/inference/<model>.jsonl."""
    return inference_log.default_path(model)


def scored(path: Path) -> pd.DataFrame:
    """Every scored stay of an inference log (all versions), version as text."""
    rows = inference_log.read(Path(path))
    return rows.assign(version=rows["version"].astype(str))


def requests(path: Path) -> pd.DataFrame:
    """One row per request (valid or rejected) of an inference log."""
    path = Path(path)
    if not path.exists():
        raise InputError(f"{path}: inference log not found; check --log or READMIT_INFERENCE_LOG")
    return inference_log.read_requests(path)


def outcomes(path: Path) -> pd.DataFrame:
    """30-day outcomes: CSV or Parquet with encounter_key and label (1 = readmitted within 30 days)."""
    path = Path(path)
    if not path.is_file():
        raise InputError(f"{path}: outcomes file not found; pass a CSV or Parquet with encounter_key,label")
    try:
        frame = (
            pd.read_parquet(path)
            if path.suffix == ".parquet"
            else pd.read_csv(path, dtype={"encounter_key": str})
        )
    except Exception as exc:  # pandas/pyarrow raise several types for a bad file; all mean the same here
        raise InputError(f"{path}: unreadable outcomes file ({type(exc).__name__})") from exc
    missing = {"encounter_key", "label"} - set(frame.columns)
    if missing:
        raise InputError(f"{path}: missing columns {', '.join(sorted(missing))}; need encounter_key,label")
    labels = pd.to_numeric(frame["label"], errors="coerce")
    if not labels.isin([0, 1]).all():
        raise InputError(f"{path}: label must be 0 or 1 on every row")
    return frame.assign(label=labels.astype(int))[["encounter_key", "label"]]
