# Prod syncs only through the restricted project, never prunes on its own, and only inside a sync window.
package readmit.argocd

import data.lib.k8s

prod_app(a) if a.spec.destination.namespace == "readmission-prod"

prod_app(a) if k8s.labels(a).env == "prod"

applications contains a if {
	some a in input.objects
	a.kind == "Application"
}

# The ApplicationSet's template stands for every generated Application, prod included.
applications contains a if {
	some s in input.objects
	s.kind == "ApplicationSet"
	a := object.union(s.spec.template, {"kind": "ApplicationSet", "metadata": s.metadata, "prod_template": true})
}

deny contains msg if {
	some a in applications
	prod_scope(a)
	object.get(a.spec, "project", "default") != "readmission"
	msg := sprintf("%s: prod must use the restricted project readmission, not %v", [k8s.id(a), object.get(a.spec, "project", "default")])
}

deny contains msg if {
	some a in applications
	prod_scope(a)
	object.get(a.spec, ["syncPolicy", "automated", "prune"], false) == true
	msg := sprintf("%s: prod must not prune automatically; remove syncPolicy.automated.prune", [k8s.id(a)])
}

prod_scope(a) if prod_app(a)

prod_scope(a) if a.prod_template

deny contains msg if {
	some p in input.objects
	p.kind == "AppProject"
	p.metadata.name == "readmission"
	not prod_window(p)
	msg := sprintf("%s: no sync window covers readmission-prod; add spec.syncWindows for it", [k8s.id(p)])
}

prod_window(p) if {
	some w in p.spec.syncWindows
	some target in array.concat(object.get(w, "namespaces", []), object.get(w, "applications", []))
	glob.match(target, [], "readmission-prod")
}
