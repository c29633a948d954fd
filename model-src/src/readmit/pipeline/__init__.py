"""The local Tekton runner: `readmit pipeline run PIPELINE.yaml` executes the very Pipeline and Task YAML
that runs in the cluster, on one machine, without a container engine.

spec (load, schema-check, refuse what is not supported) -> graph (order from runAfter and result
references) -> substitute (Tekton's plain string replacement) -> taskrun (steps of one task) -> run (the
scheduler, `when`, finally, status). Semantics follow tektoncd/pipeline docs/pipelines.md and
docs/variables.md; tekton/README.md says what runs differently on a laptop.
"""
