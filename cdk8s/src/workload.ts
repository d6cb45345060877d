// One Deployment shape for every Gambit pod: the secure defaults (non-root, read-only root
// filesystem, no privilege escalation, capabilities dropped, seccomp RuntimeDefault, no API token
// unless asked), resources, probes, topology spread and scheduling from the values.
import { Duration, JsonPatch, Size } from 'cdk8s';
import { postPatch, seg } from './patch.js';
import { raw } from './raw.js';
import { Construct } from 'constructs';
import * as kplus from './plus.js';
import { present, type Binding, type Cond, type ImageSpec } from './binding.js';
import type { Resources, Toleration } from './schema-dsl.js';
import type { Values } from './values.js';

/** The settings every workload has, wherever they sit in the values. */
export interface PodSettings {
  image: ImageSpec;
  resources: Resources;
  nodeSelector: Record<string, string>;
  tolerations: Toleration[];
  affinity: Record<string, unknown>;
  podAnnotations: Record<string, string>;
}

export interface ProbeSpec {
  path?: string;
  port: number;
  tcp?: boolean;
}

export interface ContainerSpec {
  name: string;
  /** Container ports; TCP unless `protocol` says UDP (coturn listens on both). */
  ports: { name: string; number: number; protocol?: 'TCP' | 'UDP' }[];
  env?: Record<string, kplus.EnvValue>;
  /** Environment variables that exist only when the condition holds (put first, in this order). */
  conditionalEnv?: { cond: Cond; name: string; valueFrom?: unknown; value?: string }[];
  configMap?: kplus.IConfigMap;
  command?: string[];
  args?: string[];
  /** Readiness and liveness; startup uses liveness with a longer budget. */
  health: { live: ProbeSpec; ready: ProbeSpec; startupSeconds: number };
  mounts?: { path: string; volume: kplus.Volume; readOnly?: boolean }[];
  preStopSleepSeconds?: number;
}

export interface WorkloadSpec {
  component: string;
  settings: (v: Values) => PodSettings;
  user: number;
  container: ContainerSpec;
  initContainers?: kplus.ContainerProps[];
  volumes?: kplus.Volume[];
  serviceAccount: kplus.IServiceAccount;
  /** Only the controller talks to the Kubernetes API. */
  automountToken?: boolean;
  replicas: number;
  /** When the replicas field is written (the engine leaves it to its HPA). */
  replicasCond?: Cond;
  terminationGracePeriodSeconds?: number;
  recreate?: boolean;
  /** Fixed pod annotations (config checksums); podAnnotations and commonAnnotations are added. */
  podAnnotations?: Record<string, string>;
}

const probe = (p: ProbeSpec, o: { period: number; failures: number; timeout: number }) =>
  p.tcp
    ? kplus.Probe.fromTcpSocket({ port: p.port, periodSeconds: Duration.seconds(o.period), failureThreshold: o.failures, timeoutSeconds: Duration.seconds(o.timeout) })
    : kplus.Probe.fromHttpGet(p.path ?? '/healthz', { port: p.port, periodSeconds: Duration.seconds(o.period), failureThreshold: o.failures, timeoutSeconds: Duration.seconds(o.timeout) });

export const containerSecurity = (user: number): kplus.ContainerSecurityContextProps => ({
  ensureNonRoot: true,
  user,
  group: user,
  readOnlyRootFilesystem: true,
  allowPrivilegeEscalation: false,
  privileged: false,
  capabilities: { drop: [kplus.Capability.ALL] },
  seccompProfile: { type: kplus.SeccompProfileType.RUNTIME_DEFAULT },
});


export function workload(scope: Construct, b: Binding, spec: WorkloadSpec): kplus.Deployment {
  const s = spec.settings;
  const c = spec.container;
  const selector = b.selector(spec.component);
  const tmp = kplus.Volume.fromEmptyDir(scope, 'tmp', 'tmp', { sizeLimit: Size.mebibytes(64) });
  const deployment = new kplus.Deployment(scope, 'deployment', {
    metadata: { name: b.s(b.name(spec.component)), labels: b.labels(spec.component) },
    select: false,
    replicas: spec.replicas,
    podMetadata: { labels: b.labels(spec.component) },
    serviceAccount: spec.serviceAccount,
    automountServiceAccountToken: spec.automountToken ?? false,
    securityContext: { ensureNonRoot: true, user: spec.user, group: spec.user, fsGroup: spec.user, fsGroupChangePolicy: kplus.FsGroupChangePolicy.ON_ROOT_MISMATCH },
    strategy: spec.recreate
      ? kplus.DeploymentStrategy.recreate()
      : kplus.DeploymentStrategy.rollingUpdate({ maxSurge: kplus.PercentOrAbsolute.absolute(1), maxUnavailable: kplus.PercentOrAbsolute.absolute(0) }),
    volumes: [tmp, ...(spec.volumes ?? [])],
    initContainers: spec.initContainers ?? [],
    containers: [
      {
        name: c.name,
        image: b.image((v) => s(v).image),
        imagePullPolicy: b.pullPolicy((v) => s(v).image) as kplus.ImagePullPolicy,
        ports: c.ports.map((p) => ({ name: p.name, number: p.number, ...(p.protocol === 'UDP' ? { protocol: kplus.Protocol.UDP } : {}) })),
        ...(c.command ? { command: c.command } : {}),
        ...(c.args ? { args: c.args } : {}),
        envVariables: c.env ?? {},
        ...(c.configMap ? { envFrom: [kplus.Env.fromConfigMap(c.configMap)] } : {}),
        securityContext: containerSecurity(spec.user),
        startup: probe(c.health.live, { period: 2, failures: Math.ceil(c.health.startupSeconds / 2), timeout: 2 }),
        liveness: probe(c.health.live, { period: 10, failures: 3, timeout: 2 }),
        readiness: probe(c.health.ready, { period: 5, failures: 2, timeout: 2 }),
        volumeMounts: [{ path: '/tmp', volume: tmp }, ...(c.mounts ?? []).map((m) => ({ path: m.path, volume: m.volume, readOnly: m.readOnly ?? false }))],
      },
    ],
  });
  deployment.select(kplus.LabelSelector.of({ labels: selector }));

  const api = { addJsonPatch: (op: JsonPatch) => postPatch(deployment, op) };
  annotate(deployment, b.annotations());
  const pod = '/spec/template/spec';
  const ctr = `${pod}/containers/0`;
  // cdk8s-plus labels pods with its construct address; the release labels select them instead.
  api.addJsonPatch(JsonPatch.remove('/spec/template/metadata/labels/cdk8s.io~1metadata.addr'));
  api.addJsonPatch(JsonPatch.replace(`${ctr}/resources`, b.yaml((v) => s(v).resources)));
  if (spec.replicasCond) {
    api.addJsonPatch(JsonPatch.remove('/spec/replicas'));
    api.addJsonPatch(JsonPatch.add(`/spec/${seg(b.helm ? `@@if ${spec.replicasCond.helm}@@replicas` : 'replicas')}`, spec.replicas));
    if (!b.helm && !spec.replicasCond.literal) api.addJsonPatch(JsonPatch.remove('/spec/replicas'));
  }
  if (spec.terminationGracePeriodSeconds !== undefined) {
    api.addJsonPatch(JsonPatch.replace(`${pod}/terminationGracePeriodSeconds`, spec.terminationGracePeriodSeconds));
  }
  if (c.preStopSleepSeconds !== undefined) {
    // The sleep action (Kubernetes 1.30+) needs no shell in the image.
    api.addJsonPatch(JsonPatch.add(`${ctr}/lifecycle`, { preStop: { sleep: { seconds: c.preStopSleepSeconds } } }));
  }
  // Conditional environment variables go first, so $(REDIS_PASSWORD) can be used by later ones.
  const extraEnv = present((c.conditionalEnv ?? []).map((e) => b.item(e.cond, { name: e.name, ...(e.valueFrom ? { valueFrom: e.valueFrom } : { value: e.value }) })));
  if (Object.keys(c.env ?? {}).length === 0) {
    if (extraEnv.length > 0) api.addJsonPatch(JsonPatch.add(`${ctr}/env`, extraEnv));
  } else {
    for (const item of [...extraEnv].reverse()) api.addJsonPatch(JsonPatch.add(`${ctr}/env/0`, item));
  }
  const podAnnotations = b.annotations(spec.podAnnotations ?? {}, (v) => s(v).podAnnotations);
  for (const [k, v] of Object.entries(podAnnotations)) api.addJsonPatch(JsonPatch.add(`/spec/template/metadata/${seg(k)}`, v));
  const optionalField = (field: string, get: (v: Values) => unknown) => {
    const cond = b.truthy(get);
    if (b.helm) api.addJsonPatch(JsonPatch.add(`${pod}/${seg(`@@if ${cond.helm}@@${field}`)}`, b.yaml(get)));
    else if (cond.literal) api.addJsonPatch(JsonPatch.add(`${pod}/${field}`, b.yaml(get)));
  };
  optionalField('nodeSelector', (v) => s(v).nodeSelector);
  optionalField('tolerations', (v) => s(v).tolerations);
  optionalField('affinity', (v) => s(v).affinity);
  optionalField('imagePullSecrets', (v) => v.imagePullSecrets);
  const spread = (topologyKey: string) => ({
    topologyKey,
    maxSkew: b.n((v) => v.topologySpread.maxSkew),
    whenUnsatisfiable: b.s((v) => v.topologySpread.whenUnsatisfiable),
    labelSelector: { matchLabels: selector },
    matchLabelKeys: ['pod-template-hash'],
  });
  const spreadOn = b.truthy((v) => v.topologySpread.enabled);
  const constraints = [spread('topology.kubernetes.io/zone'), spread('kubernetes.io/hostname')];
  if (b.helm) api.addJsonPatch(JsonPatch.add(`${pod}/${seg(`@@if ${spreadOn.helm}@@topologySpreadConstraints`)}`, constraints));
  else if (spreadOn.literal) api.addJsonPatch(JsonPatch.add(`${pod}/topologySpreadConstraints`, constraints));
  return deployment;
}

/** A ServiceAccount that does not mount its token (pods opt in). */
export function serviceAccount(scope: Construct, b: Binding, component: string, annotations?: (v: Values) => Record<string, string>): kplus.ServiceAccount {
  const sa = new kplus.ServiceAccount(scope, 'service-account', {
    metadata: { name: b.s(b.name(component)), labels: b.labels(component) },
    automountToken: false,
  });
  annotate(sa, annotations ? b.annotations({}, annotations) : b.annotations());
  return sa;
}

/**
 * Metadata annotations of a cdk8s-plus object. They go in after its L1 conversion, which keeps
 * only the fields it knows (a conditional `annotations` key would vanish; see patch.ts).
 */
export function annotate(target: Construct, annotations: { annotations?: Record<string, string> }): void {
  for (const [k, v] of Object.entries(annotations)) postPatch(target, JsonPatch.add(`/metadata/${seg(k)}`, v));
}

/** A PodDisruptionBudget when the values enable it. */
export function disruptionBudget(scope: Construct, b: Binding, component: string, pdb: (v: Values) => { enabled: boolean; maxUnavailable: number }): void {
  b.optional(b.truthy((v) => pdb(v).enabled), scope, 'pdb', (s) => {
    raw(s, 'pdb', {
      apiVersion: 'policy/v1',
      kind: 'PodDisruptionBudget',
      metadata: { name: b.s(b.name(component)), labels: b.labels(component), ...b.annotations() },
      spec: {
        maxUnavailable: b.n((v) => pdb(v).maxUnavailable),
        selector: { matchLabels: b.selector(component) },
      },
    });
  });
}
