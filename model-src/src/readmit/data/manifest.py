"""manifest.json: provenance, counts, exclusions, prevalence, schema, k-anonymity, data version.

`data_version` is a digest of the table *contents* (not the Parquet bytes, which carry the
writer's version), so the same input and key give the same version on any machine.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import pandas as pd

from readmit import __version__
from readmit.schema import HISTORY_COLUMNS, INDEX_COLUMNS, LAB_UNITS, LABEL


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def table_digest(df: pd.DataFrame, digest=None) -> hashlib._Hash:
    digest = digest or hashlib.sha256()
    for column in df.columns:
        digest.update(f"{column}:{df[column].dtype}\n".encode())
        hashed = pd.util.hash_pandas_object(df[column], index=False).to_numpy(dtype=np.uint64)
        digest.update(hashed.tobytes())
    return digest


def data_version(index: pd.DataFrame, history: pd.DataFrame) -> str:
    digest = table_digest(index)
    digest.update(b"--history--\n")
    return "sha256:" + table_digest(history, digest).hexdigest()


def build(
    *,
    source: str,
    inputs: list[Path],
    input_root: Path,
    index: pd.DataFrame,
    history: pd.DataFrame,
    rows_in: dict,
    exclusions: dict,
    kanon: dict,
    notes: dict,
) -> dict:
    """The manifest as a dict; file names are relative to the input (no absolute paths)."""
    return {
        "data_version": data_version(index, history),
        "source": source,
        "created_by": f"readmit {__version__}",
        "inputs": [{"file": _relative(p, input_root), "sha256": file_sha256(p)} for p in inputs],
        "rows_in": rows_in,
        "exclusions": exclusions,
        "rows_out": {
            "index": len(index),
            "history": len(history),
            "patients": int(index["patient_key"].nunique()),
        },
        "label_prevalence": round(float(index[LABEL].mean()), 6) if len(index) else None,
        "schema": {"index": INDEX_COLUMNS, "history": HISTORY_COLUMNS, "lab_units": LAB_UNITS},
        "k_anonymity": kanon,
        "deidentification": {
            "standard": "HIPAA Safe Harbor (45 CFR 164.514(b)(2))",
            "identifiers": "dropped, or replaced by HMAC-SHA256 pseudonyms (key never stored)",
            "dates": "days relative to the patient's first encounter",
            "age": "over 89 reported as 90",
            "zip": "3 digits at most; restricted ZIP3s as 000",
        },
        "notes": notes,
    }


def _relative(path: Path, root: Path) -> str:
    try:
        return str(Path(path).relative_to(root))
    except ValueError:
        return Path(path).name
