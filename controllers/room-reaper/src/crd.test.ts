// The CRD and RBAC rules, checked offline against the Kubernetes schemas (kubernetes-models), and
// against the controller's own reading of the spec.
import { expect, test } from '@jest/globals';
import { CustomResourceDefinition } from 'kubernetes-models/apiextensions.k8s.io/v1';
import { Role } from 'kubernetes-models/rbac.authorization.k8s.io/v1';
import { connectionScalerCrd, rbacRules, GROUP, KIND, PLURAL, VERSION } from './crd.js';
import { parseSpec } from './rules/scale.js';

type Schema = { type?: string; properties?: Record<string, Schema>; items?: Schema; default?: unknown; [k: string]: unknown };
const version = connectionScalerCrd.spec.versions[0]!;
const root = version.schema.openAPIV3Schema as Schema;

test('the CRD is a valid apiextensions.k8s.io/v1 CustomResourceDefinition', () => {
  expect(() => new CustomResourceDefinition(structuredClone(connectionScalerCrd) as never).validate()).not.toThrow();
  expect(connectionScalerCrd.metadata.name).toBe(`${PLURAL}.${GROUP}`);
  expect(version).toMatchObject({ name: VERSION, served: true, storage: true, subresources: { status: {} } });
  expect(connectionScalerCrd.spec.names).toMatchObject({ kind: KIND, plural: PLURAL });
});

test('the validation would catch a broken definition (the check can fail)', () => {
  const broken = structuredClone(connectionScalerCrd) as unknown as { spec: { versions: { served: unknown }[] } };
  broken.spec.versions[0]!.served = 'yes';
  expect(() => new CustomResourceDefinition(broken as never).validate()).toThrow();
});

test('the schema is structural: every object and array says what it holds', () => {
  const walk = (s: Schema, path: string): string[] => {
    const out: string[] = [];
    if (!s.type) out.push(`${path}: no type`);
    if (s.type === 'array' && !s.items) out.push(`${path}: array without items`);
    for (const [k, v] of Object.entries(s.properties ?? {})) out.push(...walk(v, `${path}.${k}`));
    if (s.items) out.push(...walk(s.items, `${path}[]`));
    return out;
  };
  expect(walk(root, '')).toEqual([]);
});

test('every printer column points at a field of the schema', () => {
  const resolve = (path: string): Schema | undefined => {
    let s: Schema | undefined = root;
    for (const part of path.replace(/\[\?.*?\]/g, '[]').split('.').filter(Boolean)) {
      const name = part.replace('[]', '');
      s = s?.properties?.[name];
      if (part.endsWith('[]')) s = s?.items;
    }
    return s;
  };
  for (const c of version.additionalPrinterColumns) {
    if (c.jsonPath === '.metadata.creationTimestamp') continue;
    expect([c.jsonPath, resolve(c.jsonPath)?.type !== undefined]).toEqual([c.jsonPath, true]);
  }
});

test('the controller reads a spec with the CRD defaults as the API server would default it', () => {
  const spec = root.properties!.spec!;
  const behavior = spec.properties!.behavior!.properties!;
  const parsed = parseSpec({ scaleTargetRef: { kind: 'Deployment', name: 'gateway' }, targetConnectionsPerPod: 3000, maxReplicas: 10 });
  expect(parsed).toMatchObject({
    ok: true,
    policy: {
      minReplicas: spec.properties!.minReplicas!.default,
      tolerance: spec.properties!.tolerance!.default,
      scaleUpWindowMs: (behavior.scaleUp!.properties!.stabilizationWindowSeconds!.default as number) * 1000,
      scaleDownWindowMs: (behavior.scaleDown!.properties!.stabilizationWindowSeconds!.default as number) * 1000,
    },
  });
});

test('the RBAC rules form a valid Role, namespaced and without wildcards', () => {
  expect(() => new Role({ metadata: { name: 'room-reaper', namespace: 'gambit' }, rules: rbacRules }).validate()).not.toThrow();
  for (const r of rbacRules) {
    expect(r.verbs).not.toContain('*');
    expect(r.resources).not.toContain('*');
  }
  const allows = (group: string, resource: string, verb: string) => rbacRules.some((r) => r.apiGroups.includes(group) && r.resources.includes(resource) && r.verbs.includes(verb));
  expect(allows('coordination.k8s.io', 'leases', 'update')).toBe(true);
  expect(allows('apps', 'deployments/scale', 'patch')).toBe(true);
  expect(allows('apps', 'deployments', 'patch')).toBe(false); // only the /scale subresource
  expect(allows('', 'pods', 'delete')).toBe(false);
});
