"""readmit: 30-day hospital-readmission risk, from EHR ingest to a served, audited model."""

__version__ = "0.1.0"
