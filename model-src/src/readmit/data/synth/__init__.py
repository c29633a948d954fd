"""Synthetic EHR: a FHIR R4 Bulk Data export with fake PHI and a known readmission risk.

See README.md beside this file for the generative model and the drift scenarios.
"""
