# A version reaches prod only after running alone in the environment before it (staging), and every
# live Model says where it came from; when the caller passes registry metadata, the annotations must match it.
package readmit.promotion

import data.lib.k8s
import data.lib.readmit

provenance := {
	"readmit.io/model-version", "readmit.io/mlflow-run", "readmit.io/model-digest",
	"readmit.io/data-version", "readmit.io/metrics", "readmit.io/gate-result",
}

deny contains msg if {
	readmit.env == "prod"
	prev := readmit.previous_env
	some m in readmit.models
	not readmit.version(m) in readmit.ran_full(prev)
	msg := sprintf("%s: version %s never ran at 100%% in %s", [k8s.id(m), readmit.version(m), prev])
}

deny contains msg if {
	some m in readmit.models
	some key in provenance
	object.get(k8s.annotations(m), key, "") == ""
	msg := sprintf("%s: provenance annotation %s is missing", [k8s.id(m), key])
}

# Registry field -> annotation that must carry the same value.
registry_fields := {"run_id": "readmit.io/mlflow-run", "model_digest": "readmit.io/model-digest", "data_version": "readmit.io/data-version"}

deny contains msg if {
	some m in readmit.models
	entry := input.context.registry[readmit.version(m)]
	some field, key in registry_fields
	object.get(k8s.annotations(m), key, "") != entry[field]
	msg := sprintf("%s: annotation %s does not match the registry's %s", [k8s.id(m), key, field])
}

deny contains msg if {
	is_object(input.context.registry)
	some m in readmit.models
	not input.context.registry[readmit.version(m)]
	msg := sprintf("%s: version %s is not in the model registry", [k8s.id(m), readmit.version(m)])
}
