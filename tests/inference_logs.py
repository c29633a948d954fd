"""Inference-log frames shaped like readmit.serving.inference_log.read_requests / read, built directly,
and written as a log file in the serving format (for the canary and realised-performance tests)."""

from __future__ import annotations

import numpy as np
import pandas as pd


def band(risk: float) -> str:
    return "high" if risk >= 0.3 else "medium" if risk >= 0.15 else "low"


def arm(
    version: int, n: int, error_rate: float = 0.0, latency: float = 5.0, shift: float = 0.0, seed: int = 0
):
    """(requests, scored rows) of `n` one-stay requests to `version`, a share of them answered 5xx."""
    rng = np.random.default_rng(seed + version)
    failed = rng.random(n) < error_rate
    status = np.where(failed, 500, 200)
    requests = pd.DataFrame(
        {
            "ts": pd.date_range("2026-11-01", periods=n, freq="min", tz="UTC"),
            "request_id": [f"v{version}-{i}" for i in range(n)],
            "model": "readmission",
            "version": str(version),
            "status": status,
            "reason": None,
            "latency_ms": rng.gamma(4.0, latency / 4.0, n),
            "n_rows": np.where(failed, 0, 1),
        }
    )
    risk = np.clip(rng.beta(2, 12, n) + shift, 0, 1)[~failed]
    rows = pd.DataFrame(
        {
            "version": str(version),
            "encounter_key": [f"e{version}-{i}" for i in np.flatnonzero(~failed)],
            "readmission_risk": risk,
            "risk_band": [band(r) for r in risk],
        }
    )
    return requests, rows


def traffic(*arms_):
    requests = pd.concat([a[0] for a in arms_], ignore_index=True)
    rows = pd.concat([a[1] for a in arms_], ignore_index=True)
    return requests, rows


def write_log(path, requests: pd.DataFrame, rows: pd.DataFrame):
    """The frames as an inference log file in the serving format (BRIEF decision 4)."""
    import json

    by_request = {}
    for request, row in zip(
        requests[requests["n_rows"] > 0]["request_id"], rows.to_dict("records"), strict=False
    ):
        by_request[request] = row
    with open(path, "w") as fh:
        for r in requests.to_dict("records"):
            row = by_request.get(r["request_id"])
            scored = (
                [
                    {
                        "patient_key": "p" + row["encounter_key"],
                        "encounter_key": row["encounter_key"],
                        "inputs": {},
                        "readmission_risk": row["readmission_risk"],
                        "risk_band": row["risk_band"],
                    }
                ]
                if row is not None and r["status"] == 200
                else []
            )
            line = {
                "ts": r["ts"].isoformat().replace("+00:00", "Z"),
                "request_id": r["request_id"],
                "model": "readmission",
                "version": r["version"],
                "status": int(r["status"]),
                "reason": None if r["status"] == 200 else "worker_error",
                "latency_ms": float(r["latency_ms"]),
                "rows": scored,
            }
            fh.write(json.dumps(line) + "\n")
    return path
