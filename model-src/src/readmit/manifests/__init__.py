"""Kubernetes manifests of the repo, checked offline: render (kubectl kustomize), validate (Kubernetes 1.32
and CRD JSON schemas), container rules, and trivy misconfiguration scanning. Entry point: `check.check`."""
