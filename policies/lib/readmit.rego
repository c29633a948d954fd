# Shared helpers about environments and live model versions.
package lib.readmit

import data.lib.k8s

# The environment before the one under check in the promotion order, from the caller's map of each
# environment's predecessor (readmit reads environments/order.yaml, the repo's one list); undefined for
# the first environment.
previous_env := input.context.previous_envs[env]

# The environment under check: the caller's context first, else the `env` label of the objects.
env := input.context.env

env := k8s.labels(o).env if {
	not input.context.env
	some o in experiments
}

# Seldon's kinds only: Katib (kubeflow.org) has an Experiment too.
seldon(o) if startswith(object.get(o, "apiVersion", ""), "mlops.seldon.io/")

models contains o if {
	some o in input.objects
	o.kind == "Model"
	seldon(o)
}

experiments contains o if {
	some o in input.objects
	o.kind == "Experiment"
	seldon(o)
}

# Version of a live Model: its annotation, else the number in its name readmission-v<N>.
version(m) := v if {
	v := k8s.annotations(m)["readmit.io/model-version"]
} else := trim_prefix(m.metadata.name, "readmission-v")

# Versions that ran as the only candidate at 100% in `e`, as the caller derived them from git history.
ran_full(e) := {v | some v in object.get(input, ["context", "ran_full", e], [])}
