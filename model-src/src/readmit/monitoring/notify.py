"""--notify: POST the drift verdict to the Tekton EventListener that starts retraining.

Payload (a flat JSON object of strings; the drift TriggerBinding maps each field to a param by
`$(body.<field>)`):
  reason         "drift" when the dataset drift flag is set, "no-drift" otherwise
  summary        one line: share of drifted features and which, prediction shift
  window         the current data window: "<from>/<to>" (ISO 8601 interval) for an inference log,
                 "data_version:<sha>" for a data set
  model_version  the served model version the window belongs to, or "unknown"
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request

from readmit.errors import CheckFailed


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
        "reason": "drift" if summary["dataset_drift"] else "no-drift",
        "summary": text,
        "window": window_text(window),
        "model_version": str(model_version) if model_version is not None else "unknown",
    }


def post(url: str, body: dict, timeout: float = 10.0) -> int:
    """POST JSON; a refused connection or a non-2xx answer is a failed check (exit 1), never silence."""
    request = urllib.request.Request(
        url, data=json.dumps(body).encode(), headers={"Content-Type": "application/json"}, method="POST"
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status
    except urllib.error.HTTPError as exc:
        raise CheckFailed(
            f"--notify {url}: the listener answered {exc.code}; the drift event was not delivered"
        ) from exc
    except (urllib.error.URLError, OSError) as exc:
        raise CheckFailed(f"--notify {url}: could not deliver the drift event ({exc})") from exc
