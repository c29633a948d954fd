"""The clinical data layer: synthetic FHIR export, FHIR/UCI ingest, de-identification, validation.

Flow: `ndjson`/`fhir_read` or `uci_read` load a source into plain DataFrames, `fhir_ingest` or
`uci_ingest` turn those into the index/history tables of `readmit.schema` (pseudonymised, dates
relative), `kanon` enforces k-anonymity on the quasi-identifiers, and `ingest.run` writes the
tables plus `manifest.json` atomically. `validate` checks a written training set.
"""
