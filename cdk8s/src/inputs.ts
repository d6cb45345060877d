// Files from other parts of the repository the chart carries: the alert rules and Grafana
// dashboards of observability/, the helm test script, the controller's CRD and RBAC rules.
// Each may be absent (its owner has not written it yet); the chart then leaves the object out.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseYaml } from './yaml.js';

export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

export interface Dashboard {
  /** File name under the chart's files/dashboards/. */
  file: string;
  /** DNS-safe name for the ConfigMap. */
  name: string;
  content: string;
}

/** What the room-reaper controller exports from controllers/room-reaper/src/crd.ts. */
export interface ControllerContract {
  /** Its CustomResourceDefinition (installed from the chart's crds/ folder). */
  crd?: Record<string, unknown>;
  /** The RBAC rules it needs in the release namespace. */
  rbacRules?: Record<string, unknown>[];
}

export interface ChartInputs {
  /** observability/prometheus/alerts.yml: its `groups` (parsed) and its text. */
  alerts?: { groups: unknown[]; text: string };
  dashboards: Dashboard[];
  /** The helm test client (assets/helm-test-ping.mjs). */
  testScript: string;
  controller: ControllerContract;
}

// ---------------------------------------------------------------------------------------------
// THE ONE PLACE where the controller's CRD and RBAC rules come in. The room-reaper issue exports
// them from controllers/room-reaper/src/crd.ts as `connectionScalerCrd` (or any export ending in
// `Crd`) and `rbacRules`; until that file exists the chart uses FALLBACK_RULES below and ships no CRD.
// ---------------------------------------------------------------------------------------------
export async function readControllerContract(root = repoRoot): Promise<ControllerContract> {
  const file = join(root, 'controllers/room-reaper/src/crd.ts');
  if (!existsSync(file)) return {};
  const mod = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
  const crdKey = Object.keys(mod).find((k) => /crd$/i.test(k) && typeof mod[k] === 'object');
  const rules = mod.rbacRules;
  return {
    ...(crdKey ? { crd: JSON.parse(JSON.stringify(mod[crdKey])) as Record<string, unknown> } : {}),
    ...(Array.isArray(rules) ? { rbacRules: JSON.parse(JSON.stringify(rules)) as Record<string, unknown>[] } : {}),
  };
}

export async function readInputs(root = repoRoot): Promise<ChartInputs> {
  const alertsPath = join(root, 'observability/prometheus/alerts.yml');
  let alerts: ChartInputs['alerts'];
  if (existsSync(alertsPath)) {
    const text = readFileSync(alertsPath, 'utf8');
    const doc = parseYaml(text) as { groups?: unknown };
    if (!doc || !Array.isArray(doc.groups)) throw new Error(`${alertsPath}: expected a Prometheus rule file with groups:`);
    alerts = { groups: doc.groups, text };
  }
  const dashDir = join(root, 'observability/grafana');
  const dashboards = existsSync(dashDir)
    ? readdirSync(dashDir).filter((f) => f.endsWith('.json')).sort().map((f) => {
      const content = readFileSync(join(dashDir, f), 'utf8');
      JSON.parse(content); // a broken dashboard fails here, not in Grafana
      return { file: f, name: basename(f, '.json').toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^-+|-+$/g, ''), content };
    })
    : [];
  const testScript = readFileSync(join(root, 'cdk8s/assets/helm-test-ping.mjs'), 'utf8');
  return { ...(alerts ? { alerts } : {}), dashboards, testScript, controller: await readControllerContract(root) };
}

/**
 * What the controller is expected to need until it exports its own `rbacRules`: leader election
 * (Lease), events, the gateway pods (dead ones; pod-deletion-cost for scale-down) and the gateway
 * Deployment's scale, and its scaling policy resource.
 */
export const FALLBACK_RULES: Record<string, unknown>[] = [
  { apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['get', 'list', 'watch', 'create', 'update', 'patch'] },
  { apiGroups: ['', 'events.k8s.io'], resources: ['events'], verbs: ['create', 'patch'] },
  { apiGroups: [''], resources: ['pods'], verbs: ['get', 'list', 'watch', 'patch'] },
  { apiGroups: ['apps'], resources: ['deployments'], verbs: ['get', 'list', 'watch'] },
  { apiGroups: ['apps'], resources: ['deployments/scale'], verbs: ['get', 'update', 'patch'] },
  { apiGroups: ['gambit.dev'], resources: ['connectionscalers'], verbs: ['get', 'list', 'watch'] },
  { apiGroups: ['gambit.dev'], resources: ['connectionscalers/status'], verbs: ['get', 'update', 'patch'] },
];
