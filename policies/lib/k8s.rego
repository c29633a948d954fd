# Shared helpers: where pod specs and containers live in the kinds this repo renders.
package lib.k8s

# "Kind/name": how every policy names the object it complains about.
id(o) := sprintf("%s/%s", [o.kind, object.get(o, ["metadata", "name"], "?")])

labels(o) := object.get(o, ["metadata", "labels"], {})

annotations(o) := object.get(o, ["metadata", "annotations"], {})

pod_spec(o) := o.spec.template.spec if o.kind in {"Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job"}

pod_spec(o) := o.spec.jobTemplate.spec.template.spec if o.kind == "CronJob"

pod_spec(o) := o.spec if o.kind == "Pod"

# Seldon's Server carries an ordinary pod spec overlay.
pod_spec(o) := o.spec.podSpec if o.kind == "Server"

# A Katib Experiment runs its trials as the Job in its trial template.
pod_spec(o) := o.spec.trialTemplate.trialSpec.spec.template.spec if {
	o.kind == "Experiment"
	startswith(o.apiVersion, "kubeflow.org/")
}

containers(o) := array.concat(
	object.get(pod_spec(o), "containers", []),
	object.get(pod_spec(o), "initContainers", []),
)

workloads contains o if {
	some o in input.objects
	pod_spec(o)
}
