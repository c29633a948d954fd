"""Canary analysis carried out: read the env's Experiment from git, judge it (readmit.monitoring.canary)
and apply the verdict as a reviewed commit through readmit.promote (layer 2)."""
