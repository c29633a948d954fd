"""`readmit demo`: the whole loop on one machine, through the same commands and pipeline YAML as the cluster.

1. retrain: tekton/pipelines/retrain-and-promote through the local runner, into a throw-away clone whose
   `origin` is a bare repository (the user's checkout is never touched); the promotion is merged;
2. serve dev by its Experiment with CDS Hooks, score stays, show explanations and a card;
3. a second version on a drifted cohort: drift report, shadow, 10% canary, traffic, canary analysis whose
   verdict is committed;
4. audit, and where everything is.

Modules: workspace (the persistent work dir and its git), shell (run a step, with elapsed time), retrain,
serve, traffic, hooks, drifted, summary; run orchestrates them.
"""
