"""Drift figures for Prometheus in the node-exporter textfile-collector format (written atomically, so
the collector never reads half a file). Metric names are the contract of apps/readmission's
PrometheusRule: readmit_drift_score, readmit_prediction_psi, readmit_dataset_drift and friends."""

from __future__ import annotations

import math

PREFIX = "readmit_"


def _labels(labels: dict[str, str]) -> str:
    def escape(value: str) -> str:
        return str(value).replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')

    return "{" + ",".join(f'{k}="{escape(v)}"' for k, v in sorted(labels.items())) + "}"


def _family(name: str, help_text: str, samples: list[tuple[dict, float]]) -> list[str]:
    lines = [f"# HELP {PREFIX}{name} {help_text}", f"# TYPE {PREFIX}{name} gauge"]
    for labels, value in samples:
        if value is not None and math.isfinite(value):
            lines.append(f"{PREFIX}{name}{_labels(labels)} {float(value)!r}")
    return lines


def render(summary: dict, model: str, version: str | None, finished_unix: float) -> str:
    """The text exposition of one drift run."""
    base = {"model": model, "version": version or "unknown"}
    prediction = summary.get("prediction") or {}
    lines = _family(
        "drift_score",
        "Share of monitored features that drifted (0-1).",
        [(base, summary["share_drifted_features"])],
    )
    lines += _family(
        "dataset_drift", "1 when the dataset drift flag is set.", [(base, float(summary["dataset_drift"]))]
    )
    lines += _family(
        "feature_drift_statistic",
        "Drift statistic per monitored feature (see the method label).",
        [
            (base | {"feature": c, "method": v["method"]}, v["statistic"])
            for c, v in sorted(summary["features"].items())
        ],
    )
    lines += _family(
        "feature_drifted",
        "1 when the feature's drift test failed.",
        [(base | {"feature": c}, float(v["drifted"])) for c, v in sorted(summary["features"].items())],
    )
    if prediction:
        lines += _family(
            "prediction_psi" if prediction.get("method") == "psi" else "prediction_drift_statistic",
            "Shift of the predicted-risk distribution against the reference.",
            [(base, prediction["statistic"])],
        )
    samples = summary["samples"]
    lines += _family(
        "drift_sample_rows",
        "Rows compared after stratified sampling.",
        [(base | {"side": side}, float(info["sampled"])) for side, info in sorted(samples.items())],
    )
    lines += _family(
        "drift_last_run_timestamp_seconds", "When the drift run finished.", [(base, finished_unix)]
    )
    return "\n".join(lines) + "\n"
