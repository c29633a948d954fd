"""Traffic by the Seldon Experiment (router in front of one multi-model MLServer) and the CDS Hooks service
that scores through it. Layer 3, beside readmit.serving: imports serving, manifests, data and lower only;
only the CLI imports it."""
