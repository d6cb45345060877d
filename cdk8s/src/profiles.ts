// The value profiles shipped with the chart (values-kind.yaml, values-eks.yaml), typed against the
// values so a renamed setting breaks the build, not an install.
import type { Values } from './values.js';

type DeepPartial<T> = T extends unknown[] ? T : T extends object ? { [K in keyof T]?: DeepPartial<T[K]> } : T;
export type ValuesOverride = DeepPartial<Values>;

export interface Profile {
  file: string;
  comment: string[];
  values: ValuesOverride;
}

/** kind: everything in the cluster (bundled Redis, DynamoDB Local), NodePort mapped to the host. */
export const kindProfile: Profile = {
  file: 'values-kind.yaml',
  comment: [
    'kind (make kind-up, docs/kind.md): images loaded into the cluster by make kind-up, the bundled Redis',
    'and DynamoDB Local in the release, the gateway on NodePort 30080 which infra/kind/cluster.yaml maps to',
    'localhost:8080. One replica each: a laptop, not a cluster.',
  ],
  values: {
    // make kind-up loads the images into the node; IfNotPresent then never pulls them
    image: { registry: 'localhost', pullPolicy: 'IfNotPresent' },
    redis: { bundled: { enabled: true } },
    dynamodb: { local: { enabled: true }, region: 'us-east-1' },
    gateway: {
      replicas: 1,
      resources: { requests: { cpu: '50m', memory: '96Mi' }, limits: { memory: '256Mi' } },
      service: { type: 'NodePort', nodePort: 30080 },
      // http://localhost:8080 on a laptop: plaintext on purpose (NOTES says so)
      tls: { allowPlaintext: true },
      nlb: { enabled: false },
      preStopSleepSeconds: 0,
      drainMs: 3000,
    },
    engine: {
      replicas: 1,
      autoscaling: { enabled: false },
      resources: { requests: { cpu: '50m', memory: '96Mi' }, limits: { memory: '256Mi' } },
    },
    finalizer: { replicas: 1, resources: { requests: { cpu: '25m', memory: '96Mi' }, limits: { memory: '256Mi' } } },
    roomReaper: {
      replicas: 1,
      resources: { requests: { cpu: '25m', memory: '96Mi' }, limits: { memory: '256Mi' } },
      scaler: { minReplicas: 1, maxReplicas: 3, targetConnectionsPerPod: 500 },
    },
    topologySpread: { enabled: false },
    // kindnet (kind v0.24+) enforces NetworkPolicies; the DNS pods there carry k8s-app: kube-dns too.
    networkPolicy: { enabled: true },
  },
};

/**
 * EKS (docs/deploy-eks.md): ElastiCache (non-cluster mode, TLS, AUTH token from a Secret),
 * DynamoDB tables from infra/eksctl, an internet-facing NLB, IRSA/Pod Identity for the finalizer,
 * node groups from infra/eksctl/cluster.yaml. REPLACE the account id, region and endpoints.
 */
export const eksProfile: Profile = {
  file: 'values-eks.yaml',
  comment: [
    'EKS (docs/deploy-eks.md), with the cluster of infra/eksctl/cluster.yaml. Replace 123456789012, the',
    'region, the ElastiCache endpoint, the ACM certificate and the site\'s name with yours (deploy-eks.md',
    'sets them in a values file of your own as it goes).',
  ],
  values: {
    image: { registry: '123456789012.dkr.ecr.eu-west-1.amazonaws.com', pullPolicy: 'IfNotPresent' },
    redis: {
      bundled: { enabled: false },
      external: {
        host: 'master.gambit.abc123.euw1.cache.amazonaws.com',
        port: 6379,
        tls: true,
        cidrs: ['192.168.0.0/16'],
      },
      auth: { existingSecret: 'gambit-redis', passwordKey: 'password' },
    },
    dynamodb: { region: 'eu-west-1', gamesTable: 'gambit-games', playersTable: 'gambit-players' },
    gateway: {
      replicas: 3,
      nodeSelector: { 'gambit.dev/pool': 'realtime' },
      service: { type: 'LoadBalancer' },
      // TLS at the NLB: players get https:// and wss:// only (the certificate of your DNS name in ACM)
      tls: { allowPlaintext: false },
      nlb: {
        enabled: true, scheme: 'internet-facing', crossZone: true, idleTimeoutSeconds: 350,
        certificateArn: 'arn:aws:acm:eu-west-1:123456789012:certificate/00000000-0000-0000-0000-000000000000',
      },
    },
    // the site's origin under TLS: when accounts are turned on, their cookies are Secure (docs/deploy-eks.md, step 11)
    accounts: { publicUrl: 'https://chess.example.com' },
    engine: {
      nodeSelector: { 'gambit.dev/pool': 'realtime' },
      autoscaling: { enabled: true, minReplicas: 2, maxReplicas: 12, targetCPUUtilizationPercentage: 65 },
    },
    finalizer: {
      // Spot: a finalizer killed mid-write leaves its entry pending; another claims it (idempotent).
      nodeSelector: { 'gambit.dev/pool': 'spot' },
      tolerations: [{ key: 'gambit.dev/spot', operator: 'Exists', effect: 'NoSchedule' }],
      // DynamoDB access through EKS Pod Identity (infra/eksctl/cluster.yaml associates the role with
      // the ServiceAccount gambit/gambit-finalizer): no annotation needed. With IRSA instead, set
      // eks.amazonaws.com/role-arn here.
    },
    roomReaper: {
      nodeSelector: { 'gambit.dev/pool': 'spot' },
      tolerations: [{ key: 'gambit.dev/spot', operator: 'Exists', effect: 'NoSchedule' }],
      scaler: { minReplicas: 3, maxReplicas: 30, targetConnectionsPerPod: 2000 },
    },
    networkPolicy: { apiServerCidrs: ['192.168.0.0/16'] },
    monitoring: {
      serviceMonitor: { enabled: true, labels: { release: 'kube-prometheus-stack' } },
      prometheusRule: { enabled: true, labels: { release: 'kube-prometheus-stack' } },
      dashboards: { enabled: true, annotations: { grafana_folder: 'Gambit' }, namespace: 'monitoring' },
    },
  },
};

/**
 * The cheapest safe EKS profile (with infra/eksctl/cluster-lean.yaml): everything whose restart loses
 * nothing on spot (engines: pending commands are claimed by another; finalizers; the controller),
 * only the gateways (which hold the sockets) on demand, two of each so a node or zone can go,
 * requests sized for an idle demo up to about 1,000 concurrent games, monitoring left to the operator.
 */
export const eksLeanProfile: Profile = {
  file: 'values-eks-lean.yaml',
  comment: [
    'The cheapest safe EKS profile: use with values-eks.yaml and infra/eksctl/cluster-lean.yaml',
    '  helm upgrade --install gambit charts/gambit -f charts/gambit/values-eks.yaml -f charts/gambit/values-eks-lean.yaml ...',
    'Gateways on demand (they hold the sockets), everything a restart costs nothing on spot, small requests.',
  ],
  values: {
    gateway: {
      resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { memory: '384Mi' } },
      nodeSelector: { 'gambit.dev/pool': 'realtime' },
    },
    engine: {
      resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { memory: '384Mi' } },
      autoscaling: { enabled: true, minReplicas: 2, maxReplicas: 6, targetCPUUtilizationPercentage: 70 },
      nodeSelector: { 'gambit.dev/pool': 'spot' },
      tolerations: [{ key: 'gambit.dev/spot', operator: 'Exists', effect: 'NoSchedule' }],
    },
    finalizer: { resources: { requests: { cpu: '50m', memory: '128Mi' }, limits: { memory: '256Mi' } } },
    roomReaper: {
      resources: { requests: { cpu: '25m', memory: '96Mi' }, limits: { memory: '192Mi' } },
      scaler: { minReplicas: 2, maxReplicas: 6, targetConnectionsPerPod: 2000 },
    },
    monitoring: {
      serviceMonitor: { enabled: false },
      prometheusRule: { enabled: false },
      dashboards: { enabled: false },
    },
  },
};

export const profiles = [kindProfile, eksProfile, eksLeanProfile];

/** Helm's merge: maps merge key by key, everything else (lists included) replaces. */
export function mergeValues<T>(base: T, ...overrides: unknown[]): T {
  let out: unknown = structuredClone(base);
  for (const o of overrides) out = merge(out, o);
  return out as T;
}
function merge(a: unknown, b: unknown): unknown {
  if (b === null) return undefined;
  if (isMap(a) && isMap(b)) {
    const out: Record<string, unknown> = { ...a };
    for (const [k, v] of Object.entries(b)) {
      const m = merge(a[k], v);
      if (m === undefined) delete out[k];
      else out[k] = m;
    }
    return out;
  }
  return b === undefined ? a : structuredClone(b);
}
const isMap = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
