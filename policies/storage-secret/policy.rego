# A Model's storageUri starts with an rclone remote name (the text before the first ":"), and Seldon's
# agent can download it only if a storage secret defines that remote: the one the Model names in
# spec.secretName, rendered in the same overlay, or one the SeldonRuntime preloads (declared below).
package readmit.storage_secret

import data.lib.k8s
import data.lib.readmit

# The remotes the SeldonRuntime preloads into every server, the one place they are declared: Seldon's
# default SeldonConfig preloads `seldon-rclone-gs-public` (remote `gs`); clusters/README.md points here.
preloaded_remotes := {"gs"}

# scheduler/pkg/agent/rclone/rclone.go getRemoteName: no ":" or a leading ":" names no remote.
remote(m) := substring(uri, 0, indexof(uri, ":")) if {
	uri := object.get(m, ["spec", "storageUri"], "")
	indexof(uri, ":") > 0
}

# name of the Secret an ExternalSecret renders -> its template's data (the rclone remote definition).
secret_data[name] := data if {
	some o in input.objects
	o.kind == "ExternalSecret"
	name := object.get(o, ["spec", "target", "name"], o.metadata.name)
	data := object.get(o, ["spec", "target", "template", "data"], {})
}

defined_remote(name) := cfg.name if {
	count(secret_data[name]) == 1
	some text in secret_data[name]
	cfg := yaml.unmarshal(text)
}

deny contains msg if {
	some m in readmit.models
	not remote(m)
	msg := sprintf("%s: storageUri %v names no rclone remote; write it as <remote>://bucket/path", [k8s.id(m), object.get(m, ["spec", "storageUri"], "")])
}

deny contains msg if {
	some m in readmit.models
	name := m.spec.secretName
	not secret_data[name]
	msg := sprintf("%s: storage secret %s (spec.secretName) is not an ExternalSecret in this overlay", [k8s.id(m), name])
}

deny contains msg if {
	some m in readmit.models
	name := m.spec.secretName
	secret_data[name]
	count(secret_data[name]) != 1
	msg := sprintf("%s: storage secret %s must hold exactly one key, one rclone remote definition", [k8s.id(m), name])
}

deny contains msg if {
	some m in readmit.models
	name := m.spec.secretName
	defined := defined_remote(name)
	defined != remote(m)
	msg := sprintf("%s: storage remote %s of storageUri has no storage secret: %s defines remote %s", [k8s.id(m), remote(m), name, defined])
}

deny contains msg if {
	some m in readmit.models
	not m.spec.secretName
	r := remote(m)
	not r in preloaded_remotes
	msg := sprintf("%s: storage remote %s of storageUri has no storage secret: set spec.secretName to a storage secret of this overlay, or use a preloaded remote %v", [k8s.id(m), r, sort(preloaded_remotes)])
}
