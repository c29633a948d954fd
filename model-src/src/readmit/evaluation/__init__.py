"""Metrics, calibration statistics, subgroup gaps, the LACE baseline and plots."""
