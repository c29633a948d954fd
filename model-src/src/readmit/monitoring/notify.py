"""--notify: POST a drift alert to the Tekton EventListener that starts retraining (tekton/README.md,
"Drift alert payload"; trigger retrain-on-drift, binding drift-alert).

Every accepted post starts `retrain-and-promote`, so only drift is posted: the dataset drift flag or a
prediction shift. The header X-Readmit-Token carries the shared token (the Secret readmit-drift-webhook),
read from the environment variable READMIT_DRIFT_TOKEN, never from a file in git.
Payload (a flat JSON object of strings, all required; the binding reads `$(body.<field>)`):
  reason         "data_drift" when the dataset drift flag is set, else "prediction_drift"
  summary        one line: share of drifted features and which, prediction shift
  window         the current data window: "<from>/<to>" (ISO 8601 interval) for an inference log,
                 "data_version:<sha>" for a data set
  model_version  the served model version the window belongs to, or "unknown"
"""

from __future__ import annotations

import json
import os
import urllib.error
import urllib.request

from readmit.errors import CheckFailed, InputError

TOKEN_ENV = "READMIT_DRIFT_TOKEN"
TOKEN_HEADER = "X-Readmit-Token"


def token() -> str:
    """The listener's shared token; one clear line when it is not set."""
    value = os.environ.get(TOKEN_ENV, "")
    if not value:
        raise InputError(
            f"--notify: {TOKEN_ENV} is not set; export the value of Secret readmit-drift-webhook (key token)"
        )
    return value


def alarming(summary: dict) -> bool:
    """Whether this run is worth a retrain: dataset drift, or a drifted prediction distribution."""
    return bool(summary["dataset_drift"] or (summary.get("prediction") or {}).get("drifted"))


def window_text(window: dict) -> str:
    if window.get("kind") == "inference_log":
        return f"{window['from']}/{window['to']}"
    return f"data_version:{window.get('data_version') or 'unknown'}"


def payload(summary: dict, window: dict, model_version: str | None) -> dict[str, str]:
    drifted = summary["drifted_features"]
    text = (
        f"{len(drifted)}/{summary['n_features']} features drifted ({summary['share_drifted_features']:.0%})"
    )
    text += f": {', '.join(drifted)}" if drifted else ""
    if summary.get("prediction"):
        p = summary["prediction"]
        text += f"; prediction {p['method']} {p['statistic']:.3f} (threshold {p['threshold']})"
    return {
        "reason": "data_drift" if summary["dataset_drift"] else "prediction_drift",
        "summary": text,
        "window": window_text(window),
        "model_version": str(model_version) if model_version is not None else "unknown",
    }


def post(url: str, body: dict, secret: str, timeout: float = 10.0) -> int:
    """POST JSON; a refused connection or a non-2xx answer is a failed check (exit 1), never silence."""
    headers = {"Content-Type": "application/json", TOKEN_HEADER: secret}
    request = urllib.request.Request(url, data=json.dumps(body).encode(), headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status
    except urllib.error.HTTPError as exc:
        raise CheckFailed(
            f"--notify {url}: the listener answered {exc.code}; the drift event was not delivered"
        ) from exc
    except (urllib.error.URLError, OSError) as exc:
        raise CheckFailed(f"--notify {url}: could not deliver the drift event ({exc})") from exc
