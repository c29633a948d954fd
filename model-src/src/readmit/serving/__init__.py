"""Serving: the artifact Seldon's agent loads (`export`), the MLServer runtime, validation, explanations,
metrics and the inference log (layer 3: imports models, features, registry, schema and lower only)."""
