// The Kubernetes API clients the controller uses, and the few request options that matter: the
// generated client sends `application/json-patch+json` for every PATCH unless told otherwise.
import {
  AppsV1Api, AutoscalingV2Api, CoordinationV1Api, CoreV1Api, CustomObjectsApi, KubeConfig, PatchStrategy, Watch, setHeaderOptions,
} from '@kubernetes/client-node';

export interface KubeApis {
  kc: KubeConfig;
  core: CoreV1Api;
  apps: AppsV1Api;
  autoscaling: AutoscalingV2Api;
  coordination: CoordinationV1Api;
  custom: CustomObjectsApi;
  watch: Watch;
}

export function kubeConfigFor(mode: 'in-cluster' | 'kubeconfig'): KubeConfig {
  const kc = new KubeConfig();
  if (mode === 'in-cluster') kc.loadFromCluster();
  else kc.loadFromDefault();
  if (!kc.getCurrentCluster()) throw new Error(`KUBERNETES=${mode}: no cluster found in the configuration`);
  return kc;
}

export function kubeApis(kc: KubeConfig): KubeApis {
  return {
    kc,
    core: kc.makeApiClient(CoreV1Api),
    apps: kc.makeApiClient(AppsV1Api),
    autoscaling: kc.makeApiClient(AutoscalingV2Api),
    coordination: kc.makeApiClient(CoordinationV1Api),
    custom: kc.makeApiClient(CustomObjectsApi),
    watch: new Watch(kc),
  };
}

export const MERGE_PATCH = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
export const STRATEGIC_MERGE_PATCH = setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch);

/** The HTTP status of a failed API call (ApiException.code, or statusCode from a watch), if any. */
export function statusOf(err: unknown): number | undefined {
  if (!err || typeof err !== 'object') return undefined;
  const e = err as { code?: unknown; statusCode?: unknown };
  if (typeof e.code === 'number') return e.code;
  if (typeof e.statusCode === 'number') return e.statusCode;
  return undefined;
}

/** A short description of an API error for logs and status messages. */
export function describe(err: unknown): string {
  const status = statusOf(err);
  let body = (err as { body?: unknown })?.body;
  if (typeof body === 'string') {
    try {
      body = JSON.parse(body);
    } catch {
      // not JSON: keep the text
    }
  }
  const message = body && typeof body === 'object' && 'message' in body ? String((body as { message: unknown }).message)
    : typeof body === 'string' && body ? body : err instanceof Error ? err.message : String(err);
  return status ? `${status}: ${message}` : message;
}
