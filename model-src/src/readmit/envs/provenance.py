"""Provenance of a live version, defined once: the annotation on its Model in models.yaml and the
trailer of the commit that put it there, per field."""

from __future__ import annotations

# field -> (annotation in models.yaml, commit trailer)
FIELDS: dict[str, tuple[str, str]] = {
    "version": ("readmit.io/model-version", "Model-Version"),
    "run_id": ("readmit.io/mlflow-run", "Model-Run"),
    "model_digest": ("readmit.io/model-digest", "Model-Digest"),
    "data_version": ("readmit.io/data-version", "Data-Version"),
    "metrics": ("readmit.io/metrics", "Metrics"),
    "gates": ("readmit.io/gate-result", "Gates"),
}
ANNOTATION = {name: pair[0] for name, pair in FIELDS.items()}
TRAILER = {name: pair[1] for name, pair in FIELDS.items()}

# Trailers that only a commit carries.
PREVIOUS_VERSION = "Previous-Version"
PROMOTED_BY = "Promoted-By"
REASON = "Reason"
ROLLBACK_OF = "Rollback-Of"
REVIEW_TRAILERS = ("Approved-by", "Reviewed-by")

# On the environment's Namespace: the largest canary share the environment allows (envs/canary_limit.py).
CANARY_LIMIT = "readmit.io/canary-max-weight"


def annotations(values: dict[str, str]) -> dict[str, str]:
    """{field: value} -> the Model's annotations."""
    return {ANNOTATION[name]: value for name, value in values.items()}


def trailers(values: dict[str, str]) -> dict[str, str]:
    """{field: value} -> the commit's trailers, in FIELDS order."""
    return {TRAILER[name]: values[name] for name in FIELDS if name in values}
