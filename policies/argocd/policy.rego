# Prod syncs only through the restricted project, only by a person, and only inside its sync window; an
# ApplicationSet never carries an automated sync policy that its RollingSync strategy switches off.
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

# Any automated block: with prune it deletes prod objects on a bad commit, and with or without it Argo CD
# syncs prod with no approver.
deny contains msg if {
	some a in applications
	prod_scope(a)
	object.get(a.spec, ["syncPolicy", "automated"], null) != null
	msg := sprintf("%s: prod must not sync or prune automatically; remove syncPolicy.automated (an approver syncs prod in its window)", [k8s.id(a)])
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

# Argo CD (SyncWindows.CanSync, pkg/apis/application/v1alpha1/types.go, v3.5.1): outside every allow
# window, a manual sync is still allowed when those windows set manualSync.
deny contains msg if {
	some p in input.objects
	p.kind == "AppProject"
	some w in p.spec.syncWindows
	w.kind == "allow"
	object.get(w, "manualSync", false) == true
	covers_prod(w)
	msg := sprintf("%s: the allow window \"%s\" for readmission-prod sets manualSync: true, which lets manual syncs run outside the window; set manualSync: false", [k8s.id(p), w.schedule])
}

prod_window(p) if {
	some w in p.spec.syncWindows
	covers_prod(w)
}

covers_prod(w) if {
	some target in array.concat(object.get(w, "namespaces", []), object.get(w, "applications", []))
	glob.match(target, [], "readmission-prod")
}

# RollingSync switches automated sync off on every Application it generates, so an automated block in the
# ApplicationSet reads as "syncs, prunes and self-heals by itself" while Argo CD never does.
deny contains msg if {
	some [s, where] in rolling_sync_automated
	msg := sprintf("%s: %s sets syncPolicy.automated under strategy RollingSync, where automated sync is dead configuration: \"RollingSync will force all generated Applications to have autosync disabled\" (Argo CD Progressive-Syncs.md, v3.5.1), so the Applications never sync or self-heal by themselves; remove it, or use AllAtOnce with automated Applications", [k8s.id(s), where])
}

rolling_sync_sets contains s if {
	some s in input.objects
	s.kind == "ApplicationSet"
	object.get(s.spec, ["strategy", "type"], "AllAtOnce") == "RollingSync"
}

rolling_sync_automated contains [s, "spec.template"] if {
	some s in rolling_sync_sets
	object.get(s.spec, ["template", "spec", "syncPolicy", "automated"], null) != null
}

rolling_sync_automated contains [s, "spec.templatePatch"] if {
	some s in rolling_sync_sets
	regex.match(`(^|\n)[ \t]*automated[ \t]*:`, object.get(s.spec, "templatePatch", ""))
}

rolling_sync_automated contains [s, where] if {
	some s in rolling_sync_sets
	some i, g in s.spec.generators
	object.get(g, ["template", "spec", "syncPolicy", "automated"], null) != null
	where := sprintf("spec.generators[%d].template", [i])
}
