# CI rules tekton-lint does not check: a scan that cannot pass silently, promotion only after the gate and
# the scan passed, params reaching scripts through env (never spliced into shell), images by digest, and
# steps under the restricted security context.
package readmit.tekton

import data.lib.k8s

digest_pattern := `@sha256:[0-9a-f]{64}$`

# trivy sub-commands that scan (an SBOM run with --format cyclonedx/spdx reports, it does not judge).
scan_pattern := `(^|[^a-z-])trivy\s+(image|fs|filesystem|config|repo|repository|rootfs|k8s|kubernetes)\s`

tekton(o) if startswith(object.get(o, "apiVersion", ""), "tekton.dev/")

# Objects keyed by "<index in input.objects> <field path>" rather than sets: rego-cpp compares set members
# whole, and sets of whole objects made this policy ten times slower.
# task_specs: [object, task spec, field path of the spec] of Tasks, and of taskSpecs embedded in Pipelines.
task_specs[sprintf("%d spec", [i])] := [o, o.spec, "spec"] if {
	some i, o in input.objects
	tekton(o)
	o.kind == "Task"
}

task_specs[sprintf("%d %s", [i, where])] := [o, pt.taskSpec, where] if {
	some i, o in input.objects
	tekton(o)
	o.kind == "Pipeline"
	some section in ["tasks", "finally"]
	some j, pt in object.get(o.spec, section, [])
	pt.taskSpec
	where := sprintf("spec.%s[%d].taskSpec", [section, j])
}

# steps: [object, task spec, step, field path of the step]
steps[sprintf("%s %s", [key, where])] := [o, spec, step, where] if {
	some key, [o, spec, w] in task_specs
	some i, step in object.get(spec, "steps", [])
	where := sprintf("%s.steps[%d]", [w, i])
}

deny contains msg if {
	some [o, _, step, where] in steps
	script := object.get(step, "script", "")
	# rego-cpp: split(s, "\n") does not split on newlines; regex.split does.
	some line in regex.split(`\n`, script)
	regex.match(scan_pattern, line)
	not contains(line, "cyclonedx")
	not contains(line, "spdx")
	not regex.match(`--exit-code[ =]1(\s|$)`, line)
	msg := sprintf("%s: %s scans without --exit-code 1, so findings would not fail the task; add --exit-code 1 --severity HIGH,CRITICAL", [k8s.id(o), where])
}

deny contains msg if {
	some [o, _, step, where] in steps
	script := object.get(step, "script", "")
	regex.match(`\$\(params[.\[]`, script)
	msg := sprintf("%s: %s splices $(params...) into its script; pass the param through env: and use the variable", [k8s.id(o), where])
}

deny contains msg if {
	some [o, _, step, where] in steps
	image := object.get(step, "image", "")
	not regex.match(digest_pattern, image)
	msg := sprintf("%s: %s image %s is not pinned by digest; use <name>@sha256:<digest>", [k8s.id(o), where, image])
}

deny contains msg if {
	some [o, spec, w] in task_specs
	image := object.get(spec, ["stepTemplate", "image"], "")
	image != ""
	not regex.match(digest_pattern, image)
	msg := sprintf("%s: %s.stepTemplate image %s is not pinned by digest; use <name>@sha256:<digest>", [k8s.id(o), w, image])
}

# The restricted profile, from the step or else its Task's stepTemplate.
security(spec, step, field, default_value) := object.get(step, ["securityContext", field], object.get(spec, ["stepTemplate", "securityContext", field], default_value))

deny contains msg if {
	some [o, spec, step, where] in steps
	security(spec, step, "runAsNonRoot", false) != true
	msg := sprintf("%s: %s may run as root; set securityContext.runAsNonRoot: true (step or stepTemplate)", [k8s.id(o), where])
}

deny contains msg if {
	some [o, spec, step, where] in steps
	security(spec, step, "allowPrivilegeEscalation", true) != false
	msg := sprintf("%s: %s allows privilege escalation; set securityContext.allowPrivilegeEscalation: false (step or stepTemplate)", [k8s.id(o), where])
}

deny contains msg if {
	some [o, spec, step, where] in steps
	not "ALL" in security(spec, step, "capabilities", {"drop": []}).drop
	msg := sprintf("%s: %s keeps Linux capabilities; set securityContext.capabilities.drop: [ALL] (step or stepTemplate)", [k8s.id(o), where])
}

ref_name(pt) := object.get(pt, ["taskRef", "name"], "")

# Promotion waits for: the gate's verdict and the scan's verdict, both read as results in its `when`
# (a result reference is also an ordering edge, so promote cannot start before either finished).
guards := [{"task": "gate", "result": "GATE_RESULT"}, {"task": "scan", "result": "SCAN_RESULT"}]

guarded(o, pt, guard) if {
	some w in object.get(pt, "when", [])
	w.operator == "in"
	w.values == ["passed"]
	some producer in object.get(o.spec, "tasks", [])
	ref_name(producer) == guard.task
	w.input == sprintf("$(tasks.%s.results.%s)", [producer.name, guard.result])
}

deny contains msg if {
	some o in input.objects
	tekton(o)
	o.kind == "Pipeline"
	some section in ["tasks", "finally"]
	some pt in object.get(o.spec, section, [])
	ref_name(pt) == "promote"
	some guard in guards
	not guarded(o, pt, guard)
	msg := sprintf("%s: task %s promotes without `when: $(tasks.<%s task>.results.%s) in [passed]`; promote only after the %s passed", [k8s.id(o), pt.name, guard.task, guard.result, guard.task])
}
