"""Candidate models (LightGBM, torch sequence encoder, their hybrid), calibration and the threshold."""
