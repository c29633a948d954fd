# Namespaces that see PHI are sealed off by default, and no PHI or credential sits in a manifest.
package readmit.phi_isolation

import data.lib.k8s

deny contains msg if {
	some ns in input.objects
	ns.kind == "Namespace"
	k8s.labels(ns)["readmit.io/phi"] == "true"
	not default_deny(ns.metadata.name)
	msg := sprintf("%s: holds PHI but has no default-deny NetworkPolicy (podSelector {}, policyTypes Ingress and Egress)", [k8s.id(ns)])
}

default_deny(ns) if {
	some np in input.objects
	np.kind == "NetworkPolicy"
	object.get(np, ["metadata", "namespace"], ns) == ns
	object.get(np.spec, "podSelector", {}) == {}
	"Ingress" in np.spec.policyTypes
	"Egress" in np.spec.policyTypes
}

deny contains msg if {
	some s in input.objects
	s.kind == "Secret"
	count(object.get(s, "data", {})) + count(object.get(s, "stringData", {})) > 0
	msg := sprintf("%s: a plain Secret carries data; use an ExternalSecret or a SealedSecret", [k8s.id(s)])
}

env_values contains [o, c.name, e.name, e.value] if {
	some o in k8s.workloads
	some c in k8s.containers(o)
	some e in object.get(c, "env", [])
	is_string(e.value)
}

phi_patterns := [`\b\d{3}-\d{2}-\d{4}\b`, `\b(19|20)\d\d-\d\d-\d\d\b`, `\b[Mm][Rr][Nn][:# ]*\d+`, `[\w.+-]+@[\w-]+\.[\w.]+`]

deny contains msg if {
	some [o, container, name, value] in env_values
	some p in phi_patterns
	regex.match(p, value)
	msg := sprintf("%s: container %s env %s looks like PHI (identifier, date or e-mail); remove it", [k8s.id(o), container, name])
}

# rego-cpp's regex has no (?i): names are lower-cased first.
credential_name := `(password|passwd|secret|token|api[_-]?key|access[_-]?key|credential)`

credential_value := `(AKIA[0-9A-Z]{16}|-----BEGIN|://[^/\s:@]+:[^/\s@]+@)`

deny contains msg if {
	some [o, container, name, value] in env_values
	looks_like_credential(name, value)
	msg := sprintf("%s: container %s env %s looks like a credential; use valueFrom.secretKeyRef", [k8s.id(o), container, name])
}

looks_like_credential(name, value) if {
	regex.match(credential_name, lower(name))
	value != ""
}

looks_like_credential(_, value) if regex.match(credential_value, value)
