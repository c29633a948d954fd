"""`readmit data ingest`: source -> de-identified, k-anonymous, versioned training set on disk."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from readmit import atomic
from readmit.data import fhir_ingest, fhir_read, kanon, manifest, tables, uci_ingest, uci_read
from readmit.data.validate import require_trainable
from readmit.errors import InputError
from readmit.schema import HISTORY_FILE, INDEX_FILE, MANIFEST_FILE


def _load(source: str, input_path: Path) -> tuple[pd.DataFrame, dict, list[Path], Path]:
    if source == "fhir":
        frames, files = fhir_read.read_export(input_path)
        enc, rows_in = fhir_ingest.to_encounters(frames)
        return enc, rows_in, files, Path(input_path)
    if source == "uci":
        raw, files, _ = uci_read.read(input_path)
        enc, rows_in = uci_ingest.to_encounters(raw)
        return enc, rows_in, files, Path(input_path).parent
    raise InputError(f"--source {source}: unknown source; use fhir or uci")


def exclusions(enc: pd.DataFrame) -> dict[str, int]:
    status = enc.loc[enc["status"] != "", "status"]
    return {reason: int(n) for reason, n in status[status != "index"].value_counts().sort_index().items()}


def build(
    source: str, input_path: Path, key: bytes, min_k: int = 5
) -> tuple[pd.DataFrame, pd.DataFrame, dict]:
    """Return (index, history, manifest) without writing anything."""
    if min_k < 1:
        raise InputError(f"--min-k {min_k}: must be at least 1; use e.g. --min-k 5")
    if not Path(input_path).exists():
        raise InputError(
            f"{input_path}: no such file or directory; pass the export folder or the UCI zip/csv"
        )
    enc, rows_in, files, root = _load(source, Path(input_path))
    enc["source"] = source
    index, history = tables.build(enc, key)
    candidates = int((enc["status"] != "").sum())
    index, report = kanon.enforce(index, min_k)
    history = history[history["patient_key"].isin(set(index["patient_key"]))].reset_index(drop=True)
    excluded = exclusions(enc)
    excluded["k_anonymity_suppressed"] = report["suppressed"]
    rows_in = {**rows_in, "index_candidates": candidates}
    meta = manifest.build(
        source=source,
        inputs=files,
        input_root=root,
        index=index,
        history=history,
        rows_in=rows_in,
        exclusions=excluded,
        kanon=report,
        notes={"label": "unplanned inpatient readmission within 30 days of discharge"},
    )
    return index, history, meta


def write(out: Path, index: pd.DataFrame, history: pd.DataFrame, meta: dict) -> None:
    """All three files appear together or not at all."""
    with atomic.atomic_dir(Path(out)) as tmp:
        index.to_parquet(tmp / INDEX_FILE, index=False)
        history.to_parquet(tmp / HISTORY_FILE, index=False)
        (tmp / MANIFEST_FILE).write_text(json.dumps(meta, indent=2, sort_keys=True) + "\n")


def run(source: str, input_path: Path, out: Path, key: bytes, min_k: int = 5) -> dict:
    src, dst = Path(input_path).resolve(), Path(out).resolve()
    if src == dst or src.is_relative_to(dst):
        raise InputError(
            f"--out {out}: would replace the input; choose an output folder outside {input_path}"
        )
    index, history, meta = build(source, input_path, key, min_k)
    excluded = ", ".join(f"{k}={v}" for k, v in meta["exclusions"].items() if v)
    require_trainable(index, str(input_path), f" (excluded: {excluded})" if excluded else "")
    write(out, index, history, meta)
    return meta


def summary(meta: dict) -> str:
    """A few lines for the terminal: counts only, nothing identifying."""
    excl = ", ".join(f"{k}={v}" for k, v in meta["exclusions"].items()) or "none"
    prev = meta["label_prevalence"]
    return (
        f"ingested {meta['source']}: {meta['rows_out']['index']} index stays of "
        f"{meta['rows_out']['patients']} patients, {meta['rows_out']['history']} history encounters\n"
        f"excluded: {excl}\n"
        f"label prevalence: {'n/a' if prev is None else f'{prev:.3f}'}; "
        f"k-anonymity (k={meta['k_anonymity']['min_k']}): "
        f"{sum(meta['k_anonymity']['generalised'].values())} generalisation steps applied, "
        f"{meta['k_anonymity']['suppressed']} suppressed\n"
        f"data_version: {meta['data_version']}"
    )
