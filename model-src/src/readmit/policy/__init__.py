"""OPA (Rego) policies under `policies/`: evaluation, sample tests and checks of rendered overlays."""
