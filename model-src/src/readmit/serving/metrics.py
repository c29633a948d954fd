"""Custom metrics on MLServer's metrics endpoint (port 8082, /metrics), through `mlserver.register` /
`mlserver.log`: MLServer 1.7 registers every custom metric as a Histogram labelled model_name and
model_version (mlserver/metrics/context.py), so a count is the histogram's `_count`.

  readmit_risk_{bucket,count,sum}            calibrated risk of every scored stay
  readmit_predictions_<band>_count           stays scored into band low|medium|high
  readmit_rejections_<reason>_count          rejected requests by reason code
(and, outside the runtime, `readmit_body_refusals_total{status}`: bodies the launcher's guard refused,
a plain prometheus_client Counter, readmit.serving.guard_middleware)
The names are part of the PrometheusRule's contract (apps/readmission/prometheusrule.yaml).

With parallel workers the endpoint reads every process's multiprocess files, custom metrics included.
Without them (`parallel_workers: 0`, e.g. `readmit serve --workers 0`) MLServer 1.7.1 serves
prometheus_client's default registry (mlserver/metrics/prometheus.py) while `mlserver.register` writes
to its own MetricsRegistry, so the custom metrics would be missing: `register_all` then adds that
registry as a collector of the default one.
"""

from __future__ import annotations

import os

import mlserver
import prometheus_client
from mlserver.metrics import REGISTRY as MLSERVER_REGISTRY

from readmit.serving.contract import BANDS

RISK = "readmit_risk"
BODY_REFUSALS = "readmit_body_refusals"  # a Counter: served as readmit_body_refusals_total
REJECTION_REASONS = (
    "too_large",
    "unknown_field",
    "missing_field",
    "bad_datatype",
    "bad_shape",
    "empty_batch",
    "too_many_rows",
    "not_finite",
    "out_of_range",
    "unknown_category",
    "bad_value",
    "not_pseudonymous",
)


def band_metric(band: str) -> str:
    return f"readmit_predictions_{band}"


def rejection_metric(reason: str) -> str:
    return f"readmit_rejections_{reason}"


_BRIDGED: list[bool] = []


def register_all() -> None:
    if "PROMETHEUS_MULTIPROC_DIR" not in os.environ and not _BRIDGED:
        prometheus_client.REGISTRY.register(MLSERVER_REGISTRY)
        _BRIDGED.append(True)
    mlserver.register(RISK, "Calibrated 30-day readmission risk of each scored stay")
    for band in BANDS:
        mlserver.register(band_metric(band), f"Stays scored into the {band} risk band (see _count)")
    for reason in REJECTION_REASONS:
        mlserver.register(rejection_metric(reason), f"Requests rejected as {reason} (see _count)")


def scored(risks, bands) -> None:
    for risk, band in zip(risks, bands, strict=True):
        mlserver.log(**{RISK: float(risk), band_metric(band): float(risk)})


def rejected(reason: str) -> None:
    mlserver.log(**{rejection_metric(reason): 1.0})
