"""Splitting, the train pipeline, tuning against the Katib Experiment, and determinism settings."""
