# Pod security for every workload: the restricted profile, plus limits so one pod cannot starve the node.
package readmit.workload_security

import data.lib.k8s

deny contains msg if {
	some o in k8s.workloads
	some c in k8s.containers(o)
	object.get(c, ["securityContext", "privileged"], false) == true
	msg := sprintf("%s: container %s is privileged; remove securityContext.privileged", [k8s.id(o), c.name])
}

deny contains msg if {
	some o in k8s.workloads
	some c in k8s.containers(o)
	object.get(c, ["securityContext", "allowPrivilegeEscalation"], true) != false
	msg := sprintf("%s: container %s allows privilege escalation; set securityContext.allowPrivilegeEscalation: false", [k8s.id(o), c.name])
}

deny contains msg if {
	some o in k8s.workloads
	some c in k8s.containers(o)
	pod_level := object.get(k8s.pod_spec(o), ["securityContext", "runAsNonRoot"], false)
	object.get(c, ["securityContext", "runAsNonRoot"], pod_level) != true
	msg := sprintf("%s: container %s may run as root; set securityContext.runAsNonRoot: true", [k8s.id(o), c.name])
}

deny contains msg if {
	some o in k8s.workloads
	some c in k8s.containers(o)
	object.get(c, ["securityContext", "readOnlyRootFilesystem"], false) != true
	msg := sprintf("%s: container %s has a writable root filesystem; set securityContext.readOnlyRootFilesystem: true", [k8s.id(o), c.name])
}

deny contains msg if {
	some o in k8s.workloads
	some c in k8s.containers(o)
	not "ALL" in object.get(c, ["securityContext", "capabilities", "drop"], [])
	msg := sprintf("%s: container %s keeps Linux capabilities; set securityContext.capabilities.drop: [ALL]", [k8s.id(o), c.name])
}

deny contains msg if {
	some o in k8s.workloads
	some c in k8s.containers(o)
	some r in ["cpu", "memory"]
	not c.resources.limits[r]
	msg := sprintf("%s: container %s has no %s limit; set resources.limits.%s", [k8s.id(o), c.name, r, r])
}

deny contains msg if {
	some o in k8s.workloads
	some f in ["hostNetwork", "hostPID", "hostIPC"]
	object.get(k8s.pod_spec(o), f, false) == true
	msg := sprintf("%s: pod shares the host namespace (%s); remove it", [k8s.id(o), f])
}
