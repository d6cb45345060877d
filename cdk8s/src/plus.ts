// The one module that names the cdk8s-plus release. cdk8s-plus-28 is the line the design card
// fixes; it is no longer updated, so moving to a newer line (cdk8s-plus-31, -32, ...) is this
// import and PLUS_KUBERNETES_VERSION. The output is validated against the Kubernetes schemas of
// `kubernetes-models` (see test/k8s) and the chart declares the cluster versions in Chart.yaml.
export * from 'cdk8s-plus-28';
export { k8s } from 'cdk8s-plus-28';

/** The Kubernetes API version the cdk8s-plus line was generated for. */
export const PLUS_KUBERNETES_VERSION = '1.28';
/** Cluster versions the chart is written and validated for (the preStop `sleep` action needs 1.30). */
export const KUBE_VERSION_RANGE = '>=1.30.0-0';
