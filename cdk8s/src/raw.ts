// Kubernetes objects written as plain JSON (through cdk8s's ApiObject), for the objects whose
// maps carry Helm conditions: cdk8s-plus and the generated L1 classes drop keys they do not know.
// Every such object is validated against its schema by test/k8s (kubernetes-models).
import { ApiObject } from 'cdk8s';
import type { Construct } from 'constructs';

export interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: Record<string, unknown>;
  [field: string]: unknown;
}

export function raw(scope: Construct, id: string, manifest: Manifest): ApiObject {
  const { apiVersion, kind, metadata, ...rest } = manifest;
  return new ApiObject(scope, id, { apiVersion, kind, metadata: metadata as never, ...rest });
}
