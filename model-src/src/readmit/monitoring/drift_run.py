"""`readmit drift`: the I/O shell around `drift.analyze` (read inputs, score if asked, write the report)."""

from __future__ import annotations

import html
import json
import time
from collections.abc import Callable
from pathlib import Path

import pandas as pd

from readmit import registry
from readmit.atomic import atomic_dir, write_text
from readmit.errors import InputError
from readmit.monitoring import notify, sources, textfile
from readmit.monitoring.config import DEFAULT, DriftConfig
from readmit.monitoring.drift import analyze
from readmit.monitoring.view import PREDICTION
from readmit.progress import Progress, quiet
from readmit.schema import LABEL

REPORT, RESULT, TEXTFILE = "report.html", "drift.json", "drift.prom"


def registry_scorer(version: str) -> Callable[[pd.DataFrame], pd.Series]:
    model = registry.load_model(version)

    def score(rows: pd.DataFrame) -> pd.Series:
        # A training set carries the outcome; it is no model input (MLflow would only warn and drop it).
        inputs = rows.drop(columns=LABEL, errors="ignore")
        return pd.Series(model.predict(inputs)[PREDICTION].to_numpy(), index=rows.index)

    return score


def _check_reference(window: dict, version: str) -> None:
    """The reference must be the training set of the version that served the window (its Data-Version)."""
    expected = registry.version_info(version).data_version
    if window.get("kind") == "dataset" and window.get("data_version") != expected:
        raise InputError(
            f"--reference: data version {window.get('data_version')} is not the training set of model "
            f"version {version} ({expected}); pass the ingest directory with that data_version"
        )


def summary_html(summary: dict) -> str:
    rows = "".join(
        f"<tr><td>{html.escape(c)}</td><td>{v['type']}</td><td>{html.escape(str(v['method']))}</td>"
        f"<td>{v['statistic']:.4f}</td><td>{v['threshold']}</td>"
        f"<td>{'DRIFT' if v['drifted'] else 'ok'}</td></tr>"
        for c, v in sorted(summary["features"].items())
    )
    prediction = summary.get("prediction")
    pred = (
        f"<p>Prediction drift ({html.escape(str(prediction['method']))}): {prediction['statistic']:.4f} "
        f"against {prediction['threshold']}: {'DRIFT' if prediction['drifted'] else 'ok'}</p>"
        if prediction
        else "<p>Prediction drift: not measured (one side has no scores; pass --model-version).</p>"
    )
    samples = html.escape(json.dumps(summary["samples"]))
    windows = html.escape(json.dumps(summary.get("windows", {})))
    return (
        '<section style="font-family:sans-serif;margin:1em">'
        f"<h1>Drift report: {'DATASET DRIFT' if summary['dataset_drift'] else 'no dataset drift'}</h1>"
        f"<p>{len(summary['drifted_features'])} of {summary['n_features']} monitored features drifted "
        f"(share {summary['share_drifted_features']:.2f}, "
        f"flag at {summary['drift_share_threshold']}).</p>{pred}"
        f"<p>Samples: <code>{samples}</code><br>Windows: <code>{windows}</code></p>"
        "<table border=1 cellpadding=3><tr><th>column</th><th>type</th><th>method</th><th>statistic</th>"
        f"<th>threshold</th><th>verdict</th></tr>{rows}</table></section>"
    )


def drift(
    reference: Path,
    current: Path,
    out: Path,
    model_version: str | None = None,
    config: DriftConfig = DEFAULT,
    notify_url: str | None = None,
    textfile_path: Path | None = None,
    progress: Progress = quiet,
) -> dict:
    """Compare current against reference; write report.html, drift.json and drift.prom into `out`;
    post a drift alert to `notify_url` when drift is found."""
    secret = notify.token() if notify_url else None  # a missing token is bad input: say so before the work
    progress("reading inputs")
    ref_rows, ref_window = sources.load_any(reference)
    cur_rows, cur_window = sources.load_any(current, model_version)
    served = model_version or _served_version(cur_window)
    scorer = None
    if model_version is not None:
        _check_reference(ref_window, model_version)
        scorer = registry_scorer(model_version)
    progress(f"comparing {len(cur_rows)} current rows with {len(ref_rows)} reference rows")
    result = analyze(ref_rows, cur_rows, config, scorer)
    summary = result.summary | {
        "windows": {"reference": ref_window, "current": cur_window},
        "model_version": served,
    }
    progress("writing the report")
    page = result.snapshot.get_html_str(as_iframe=False).replace(
        "<body>", "<body>" + summary_html(summary), 1
    )
    prom = textfile.render(summary, "readmission", served, time.time())
    with atomic_dir(Path(out)) as tmp:
        write_text(tmp / REPORT, page)
        write_text(tmp / RESULT, json.dumps(summary, indent=2, sort_keys=True, default=str) + "\n")
        write_text(tmp / TEXTFILE, prom)
    if textfile_path is not None:
        write_text(Path(textfile_path), prom)
    if notify_url and notify.alarming(summary):
        notify.post(notify_url, notify.payload(summary, cur_window, served), secret)
        summary["notified"] = True
    return summary


def _served_version(window: dict) -> str | None:
    versions = window.get("versions") or {}
    return max(versions, key=versions.get) if versions else None
