"""libyaml's safe loader and dumper when PyYAML was built with it, else the pure-Python ones (same
results, several times slower): for YAML read or written in bulk, such as kustomize's output, the
models.yaml of every commit in a history, and trivy's input."""

from __future__ import annotations

import yaml

LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
