# The Seldon Experiment splits all traffic, only to Models of the same overlay, and a version new to
# the promotion path stays within the environment's canary limit.
package readmit.seldon_rollout

import data.lib.k8s
import data.lib.readmit

deny contains msg if {
	some x in readmit.experiments
	total := sum([c.weight | some c in x.spec.candidates])
	total != 100
	msg := sprintf("%s: candidate weights sum to %v, not 100", [k8s.id(x), total])
}

deny contains msg if {
	some x in readmit.experiments
	some c in x.spec.candidates
	not c.name in {m.metadata.name | some m in readmit.models}
	msg := sprintf("%s: candidate %s is not a Model in this overlay", [k8s.id(x), c.name])
}

deny contains msg if {
	some x in readmit.experiments
	prev := readmit.previous_env
	limit := _canary_limit(x)
	some c in x.spec.candidates
	c.weight > limit
	some m in readmit.models
	m.metadata.name == c.name
	not readmit.version(m) in readmit.ran_full(prev)
	msg := sprintf("%s: version %s has not run at 100%% in %s, so its weight %v exceeds the canary limit %v", [k8s.id(x), readmit.version(m), prev, c.weight, limit])
}

# The environment's canary limit: the annotation on the Namespace the Experiment is rendered into (each
# overlay's readmission-values.yaml sets it); no such Namespace or annotation means 0.
_canary_limit(x) := to_number(object.get(k8s.annotations(ns), "readmit.io/canary-max-weight", "0")) if {
	some ns in input.objects
	ns.apiVersion == "v1"
	ns.kind == "Namespace"
	ns.metadata.name == object.get(x, ["metadata", "namespace"], "")
} else := 0

# Shadow traffic (spec.mirror): the mirror must be a Model of the same overlay (Seldon's scheduler
# rejects an Experiment whose mirror model it does not know: scheduler/pkg/envoy/processor/incremental.go
# addTrafficForExperiment), and Envoy takes its percent as a RuntimeFraction of HUNDRED (xdscache/
# resource.go createMirrorRouteAction): 1-100; 0 would mirror nothing and above 100 is no share.
deny contains msg if {
	some x in readmit.experiments
	m := x.spec.mirror
	not m.name in {model.metadata.name | some model in readmit.models}
	msg := sprintf("%s: mirror %s is not a Model in this overlay", [k8s.id(x), m.name])
}

deny contains msg if {
	some x in readmit.experiments
	m := x.spec.mirror
	not _valid_percent(m)
	msg := sprintf("%s: mirror percent %v is not a whole number between 1 and 100", [k8s.id(x), object.get(m, "percent", "missing")])
}

_valid_percent(m) if {
	is_number(m.percent)
	m.percent == round(m.percent)
	m.percent >= 1
	m.percent <= 100
}
