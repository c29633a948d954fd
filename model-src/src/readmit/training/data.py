"""Read an ingest output directory (readmit.schema) with one-line errors for anything unusable."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from readmit.data.validate import require_trainable
from readmit.errors import InputError
from readmit.features.clean import missing_columns
from readmit.schema import INDEX_FILE, MANIFEST_FILE


def load(data_dir: Path, with_label: bool = True) -> tuple[pd.DataFrame, dict]:
    """(index rows, manifest) of an ingest directory."""
    data_dir = Path(data_dir)
    index_path, manifest_path = data_dir / INDEX_FILE, data_dir / MANIFEST_FILE
    for path in (index_path, manifest_path):
        if not path.is_file():
            raise InputError(
                f"{path}: not found; point --data at a directory written by `readmit data ingest`"
            )
    try:
        manifest = json.loads(manifest_path.read_text())
    except ValueError as exc:
        raise InputError(
            f"{manifest_path}:{exc.lineno}: not valid JSON; re-run `readmit data ingest`"
        ) from exc
    try:
        df = pd.read_parquet(index_path)
    except Exception as exc:  # pyarrow raises several types for a corrupt file; all mean the same here
        raise InputError(
            f"{index_path}: unreadable parquet ({type(exc).__name__}); re-run `readmit data ingest`"
        ) from exc
    if missing := missing_columns(df, with_label):
        raise InputError(
            f"{index_path}: missing columns {', '.join(missing)}; "
            "re-run ingest with this version of readmit (see readmit.schema)"
        )
    if with_label:
        require_trainable(df, str(index_path))
    return df, manifest
