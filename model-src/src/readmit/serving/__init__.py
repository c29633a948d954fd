"""Serving: the artifact Seldon's agent loads (`export`), the MLServer runtime, validation, explanations,
metrics, the inference log, and `readmit-mlserver` (`launch`: MLServer with the body `guard`)
(layer 3: imports models, features, registry, schema and lower only)."""
