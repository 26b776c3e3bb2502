// Package k8s holds the tests of the Kubernetes deployment: the Helm
// chart in deploy/helm/assoc, rendered with helm and checked against
// golden files and the rules a cluster depends on (pod labels for the
// router's discovery, probes, the preStop drain, non-root pods, a
// ReadWriteMany apps volume, the HPA and PodDisruptionBudget, RBAC), and
// an end-to-end test of "assoc router" in front of two "assoc serve"
// processes on loopback that share one license state: JWT users through
// the router, license limits enforced across both engines, and new
// sessions moving to the surviving engine when one is killed.
//
// Helm comes from $ASSOC_HELM, the PATH, or is built once from the Go
// module proxy (helm.sh/helm/v3) into the user's cache; without any of
// them the chart tests are skipped and say why.
package k8s
