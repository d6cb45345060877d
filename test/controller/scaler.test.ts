// ConnectionScaler reconciliation against the test API server, with live connection counts in a
// real Redis: /scale patched with a merge patch, pod-deletion-cost set (strategic merge) before a
// scale-down, stabilization, status and Events recorded; no scaling (a condition and one Warning)
// when an HPA or an older scaler owns the Deployment, when it is missing, or the spec is invalid.
import { afterAll, afterEach, beforeAll, beforeEach, expect, test } from '@jest/globals';
import { Redis } from 'ioredis';
import { keys as makeKeys } from '@gambit/common';
import { kubeApis } from '../../controllers/room-reaper/src/kube/client.js';
import { ScaleReconciler } from '../../controllers/room-reaper/src/kube/scaler.js';
import { readCounts } from '../../controllers/room-reaper/src/redis/counts.js';
import { controllerMetrics } from '../../controllers/room-reaper/src/metrics.js';
import { Registry } from '@gambit/common';
import { startRedis, type RedisHandle } from '../support/redis.js';
import { FakeApiServer, type Obj } from './fake-apiserver.js';
import { NS, deployment, gatewayPod, log } from './support.js';

let api: FakeApiServer;
let redisServer: RedisHandle;
let redis: Redis;
const keys = makeKeys('scaler');
let clock = 0;
let reconciler: ScaleReconciler;

beforeAll(async () => {
  [api, redisServer] = await Promise.all([FakeApiServer.start(), startRedis()]);
  redis = new Redis(redisServer.url);
});
afterAll(async () => {
  redis?.disconnect();
  api?.endWatches();
  await Promise.all([api?.close(), redisServer?.stop()]);
});
beforeEach(async () => {
  clock = Date.parse('2026-01-01T00:00:00Z');
  reconciler = new ScaleReconciler({
    apis: kubeApis(api.kubeConfig()), namespace: NS, identity: 'reaper-0', log, metrics: controllerMetrics(new Registry()),
    counts: (pods) => readCounts(redis, keys, pods), now: () => clock,
  });
  await redis.flushall();
});
afterEach(() => {
  for (const plural of ['pods', 'deployments', 'connectionscalers', 'horizontalpodautoscalers', 'events']) {
    for (const o of api.objects(plural, NS)) api.remove(plural, NS, o.metadata.name);
  }
  expect(api.violations).toEqual([]);
  api.requests.length = 0;
});

function scaler(name: string, spec: Obj = {}): void {
  api.put('connectionscalers', NS, {
    metadata: { name },
    spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'gateway' }, targetConnectionsPerPod: 500, minReplicas: 1, maxReplicas: 10, ...spec },
  });
}

async function gateways(counts: Record<string, number | null>, replicas = Object.keys(counts).length): Promise<void> {
  api.put('deployments', NS, deployment('gateway', replicas));
  for (const [pod, n] of Object.entries(counts)) {
    api.put('pods', NS, gatewayPod(pod, { labels: { app: 'gateway' } }));
    if (n !== null) await redis.set(keys.gatewayConnections(pod), n, 'PX', 15_000);
  }
}

const status = (name = 'web') => api.object('connectionscalers', NS, name)!.status;
const condition = (type: string, name = 'web') => status(name)?.conditions?.find((c: Obj) => c.type === type);
const events = () => api.objects('events', NS);
const scalePatches = () => api.sent({ verb: 'patch', resource: 'apps/deployments/scale' });

test('scales up on load: merge patch on /scale, status and a SuccessfulRescale event', async () => {
  await gateways({ 'gw-1': 900, 'gw-2': 800 });
  scaler('web');
  const [out] = await reconciler.runOnce();
  expect(out).toMatchObject({ scaler: 'web', outcome: 'up', desired: 4 });

  const [p] = scalePatches();
  expect(p).toMatchObject({ method: 'PATCH', path: `/apis/apps/v1/namespaces/${NS}/deployments/gateway/scale`, contentType: 'application/merge-patch+json', query: { fieldManager: 'gambit-room-reaper' } });
  expect(JSON.parse(String(p!.body))).toEqual({ spec: { replicas: 4 } });
  expect(api.object('deployments', NS, 'gateway')!.spec.replicas).toBe(4);

  expect(status()).toMatchObject({ desiredReplicas: 4, totalConnections: 1700, reportingPods: 2, observedGeneration: 1, lastScaleTime: new Date(clock).toISOString() });
  expect(condition('AbleToScale')).toMatchObject({ status: 'True', reason: 'SucceededRescale' });
  expect(condition('ScalingActive')).toMatchObject({ status: 'True', reason: 'ValidMetric' });
  const statusPatch = api.sent({ verb: 'patch', resource: 'gambit.dev/connectionscalers/status' })[0]!;
  expect(statusPatch.contentType).toBe('application/merge-patch+json');
  expect(statusPatch.path).toBe(`/apis/gambit.dev/v1alpha1/namespaces/${NS}/connectionscalers/web/status`);

  const [ev] = events();
  expect(ev).toMatchObject({ type: 'Normal', reason: 'SuccessfulRescale', involvedObject: { apiVersion: 'gambit.dev/v1alpha1', kind: 'ConnectionScaler', name: 'web', namespace: NS } });
  expect(ev!.message).toMatch(/^New size: 4; reason: 1700 connections/);

  // The next round only notes that the scale is done; after it, nothing changes: no writes at all.
  await reconciler.runOnce();
  expect(condition('AbleToScale')).toMatchObject({ status: 'True', reason: 'ReadyForNewScale' });
  expect(scalePatches()).toHaveLength(1);
  const writes = api.requests.filter((r) => r.verb === 'patch' || r.verb === 'create').length;
  await reconciler.runOnce();
  expect(api.requests.filter((r) => r.verb === 'patch' || r.verb === 'create').length).toBe(writes);
});

test('scales down only after the stabilization window, emptiest pods priced lowest first', async () => {
  await gateways({ 'gw-1': 10, 'gw-2': 0, 'gw-3': null, 'gw-4': 300 });
  scaler('web', { behavior: { scaleDown: { stabilizationWindowSeconds: 60 } } });
  const [held] = await reconciler.runOnce();
  expect(held).toMatchObject({ outcome: 'hold', desired: 4, reason: 'Stabilizing' });
  expect(scalePatches()).toHaveLength(0);
  expect(condition('AbleToScale')).toMatchObject({ status: 'True', reason: 'ReadyForNewScale' });

  clock += 61_000;
  const [down] = await reconciler.runOnce();
  expect(down).toMatchObject({ outcome: 'down', desired: 2 });
  const podPatches = api.sent({ verb: 'patch', resource: 'core/pods' });
  expect(podPatches.map((r) => [r.path.split('/').pop(), r.contentType, JSON.parse(String(r.body))])).toEqual([
    ['gw-1', 'application/strategic-merge-patch+json', { metadata: { annotations: { 'controller.kubernetes.io/pod-deletion-cost': '10' } } }],
    ['gw-2', 'application/strategic-merge-patch+json', { metadata: { annotations: { 'controller.kubernetes.io/pod-deletion-cost': '0' } } }],
    ['gw-3', 'application/strategic-merge-patch+json', { metadata: { annotations: { 'controller.kubernetes.io/pod-deletion-cost': '0' } } }],
    ['gw-4', 'application/strategic-merge-patch+json', { metadata: { annotations: { 'controller.kubernetes.io/pod-deletion-cost': '300' } } }],
  ]);
  // The costs are in place before the Deployment shrinks.
  const lastPod = api.requests.lastIndexOf(podPatches.at(-1)!);
  expect(api.requests.indexOf(scalePatches()[0]!)).toBeGreaterThan(lastPod);
  expect(api.object('pods', NS, 'gw-4')!.metadata.annotations['controller.kubernetes.io/pod-deletion-cost']).toBe('300');
  expect(api.object('deployments', NS, 'gateway')!.spec.replicas).toBe(2);
});

test('an HPA on the same Deployment: a condition and one Warning, never a scale', async () => {
  await gateways({ 'gw-1': 5000 });
  api.put('horizontalpodautoscalers', NS, {
    metadata: { name: 'gateway-cpu' },
    spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'gateway' }, minReplicas: 1, maxReplicas: 5 },
  });
  scaler('web');
  expect((await reconciler.runOnce())[0]).toMatchObject({ outcome: 'blocked', reason: 'ConflictingHPA' });
  expect(await reconciler.runOnce()).toHaveLength(1);
  expect(scalePatches()).toHaveLength(0);
  expect(condition('AbleToScale')).toMatchObject({ status: 'False', reason: 'ConflictingHPA', message: expect.stringContaining('gateway-cpu') });
  expect(events().map((e) => [e.type, e.reason])).toEqual([['Warning', 'ConflictingHPA']]);
  expect(api.sent({ verb: 'patch', resource: 'gambit.dev/connectionscalers/status' })).toHaveLength(1);
});

test('a missing Deployment, an invalid spec, a second scaler for the same Deployment: reported, nothing scaled', async () => {
  scaler('web');
  api.put('connectionscalers', NS, { metadata: { name: 'bad' }, spec: { scaleTargetRef: { kind: 'Deployment', name: 'other' }, targetConnectionsPerPod: 0, minReplicas: 5, maxReplicas: 2 } });
  const outcomes = await reconciler.runOnce();
  expect(outcomes.map((o) => [o.scaler, o.reason])).toEqual([['web', 'DeploymentNotFound'], ['bad', 'InvalidSpec']]);
  expect(condition('AbleToScale')).toMatchObject({ status: 'False', reason: 'DeploymentNotFound' });
  expect(condition('AbleToScale', 'bad')).toMatchObject({ status: 'False', reason: 'InvalidSpec' });
  expect(condition('AbleToScale', 'bad').message).toMatch(/targetConnectionsPerPod.*minReplicas must not exceed maxReplicas|minReplicas must not exceed maxReplicas.*targetConnectionsPerPod/s);

  await gateways({ 'gw-1': 100 });
  scaler('web-2');
  const again = await reconciler.runOnce();
  expect(again.find((o) => o.scaler === 'web-2')).toMatchObject({ outcome: 'blocked', reason: 'ConflictingScaler' });
  expect(again.find((o) => o.scaler === 'web')).toMatchObject({ outcome: 'hold' });
  expect(condition('AbleToScale')).toMatchObject({ status: 'True' });
  expect(scalePatches()).toHaveLength(0);
  expect(events().map((e) => e.reason).sort()).toEqual(['ConflictingScaler', 'DeploymentNotFound', 'InvalidSpec']);
});

test('no pod reports a count: hold, ScalingActive False; the min clamp still applies', async () => {
  await gateways({ 'gw-1': null, 'gw-2': null });
  scaler('web', { minReplicas: 3 });
  const [out] = await reconciler.runOnce();
  expect(out).toMatchObject({ outcome: 'up', desired: 3, reason: 'BelowMin' });
  expect(condition('ScalingLimited')).toMatchObject({ status: 'True', reason: 'TooFewReplicas' });
  api.put('deployments', NS, deployment('gateway', 3));
  const [held] = await reconciler.runOnce();
  expect(held).toMatchObject({ outcome: 'hold', reason: 'NoMetrics' });
  expect(condition('ScalingActive')).toMatchObject({ status: 'False', reason: 'NoMetrics' });
});

test('without the CRD installed there is nothing to scale, and no failure', async () => {
  api.failWhen((r) => (r.resource === 'gambit.dev/connectionscalers' && r.verb === 'list' ? 404 : null));
  try {
    expect(await reconciler.runOnce()).toEqual([]);
  } finally {
    api.failWhen(null);
  }
});
