# Every image is pinned by digest and comes from a registry we trust, so what runs is what was scanned.
package readmit.image_provenance

import data.lib.k8s

allowed_registries := [
	"ghcr.io/readmit/", "ghcr.io/mlflow/", "docker.io/library/", "docker.io/bitnami/",
	"quay.io/", "registry.k8s.io/", "gcr.io/tekton-releases/", "cgr.dev/chainguard/",
	"docker.io/aquasec/",
]

# Any `image:` field anywhere (pod specs, Seldon Server pod specs, Tekton steps), as [index of the object
# in input.objects, image]: one walk over all objects, and indices rather than whole objects in the set
# (rego-cpp compares set members whole; with objects in them this rule took most of a policy check).
images contains [path[0], image] if {
	walk(input.objects, [path, image])
	path[count(path) - 1] == "image"
	is_string(image)
}

deny contains msg if {
	some [i, image] in images
	not regex.match(`@sha256:[0-9a-f]{64}$`, image)
	msg := sprintf("%s: image %s is not pinned by digest; use <name>@sha256:<digest>", [k8s.id(input.objects[i]), image])
}

deny contains msg if {
	some [i, image] in images
	not from_allowed_registry(image)
	msg := sprintf("%s: image %s is not from an allowed registry; see policies/image-provenance/README.md", [k8s.id(input.objects[i]), image])
}

from_allowed_registry(image) if {
	some prefix in allowed_registries
	startswith(image, prefix)
}
