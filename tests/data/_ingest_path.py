"""Ingest's pandas path on the fhir_read rows of one live stay: the frames `fhir_read.read_export` would
give, `fhir_ingest.to_encounters(..., live_index)` and `tables.build`. The oracle that the CDS service's
pandas-free builder (`fhir_stay`, reached through `traffic.prefetch`) is held equal to."""

from __future__ import annotations

import pandas as pd

from readmit.data import fhir_ingest, fhir_read, tables


def frames(found: dict[str, list[dict]]) -> dict[str, pd.DataFrame]:
    """{kind: fhir_read rows with `src`} as read_export's per-type frames."""
    return {
        kind: pd.DataFrame(found[kind], columns=[*fhir_read.columns(kind), "src"])
        for kind in fhir_read.PARSERS
    }


def ingest_path(found: dict[str, list[dict]], live: str, key: bytes) -> tuple[pd.DataFrame, str]:
    """(the index table ingest builds with `live` as the stay being discharged, that stay's status)."""
    enc, _ = fhir_ingest.to_encounters(frames(found), live_index=live)
    enc["source"] = "fhir"
    status = enc.loc[enc["encounter_id"] == live, "status"].iloc[0]
    return tables.build(enc, key)[0], status
