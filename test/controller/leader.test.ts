// Leader election through a coordination.k8s.io/v1 Lease, between replicas talking to the test API
// server: one leads; a killed leader is replaced within the lease duration; a leader that cannot
// reach the API server stops leading before anyone else starts; a clean shutdown hands over at once.
import { afterAll, afterEach, beforeAll, expect, test } from '@jest/globals';
import { CoordinationV1Api } from '@kubernetes/client-node';
import { KubeLeaseStore, LeaderElector } from '../../controllers/room-reaper/src/kube/lease.js';
import { waitFor } from '../support/redis.js';
import { FakeApiServer } from './fake-apiserver.js';
import { NS, log } from './support.js';

const LEASE_MS = 1_000;
const RENEW_MS = 600;
const RETRY_MS = 100;

let api: FakeApiServer;
const running: LeaderElector[] = [];
beforeAll(async () => { api = await FakeApiServer.start(); });
afterEach(async () => {
  await Promise.all(running.splice(0).map((e) => e.stop(false)));
  expect(api.violations).toEqual([]);
});
afterAll(async () => { await api?.close(); });

interface Replica { elector: LeaderElector; token: string; timeline: { at: number; leading: boolean }[] }

function replica(identity: string, lease: string): Replica {
  const token = `token-${identity}`;
  const kc = api.kubeConfig(token);
  const timeline: { at: number; leading: boolean }[] = [];
  const elector = new LeaderElector({
    identity, leaseDurationMs: LEASE_MS, renewDeadlineMs: RENEW_MS, retryMs: RETRY_MS, log,
    store: new KubeLeaseStore(kc.makeApiClient(CoordinationV1Api), NS, lease),
    onStartedLeading: () => timeline.push({ at: Date.now(), leading: true }),
    onStoppedLeading: () => timeline.push({ at: Date.now(), leading: false }),
  });
  running.push(elector);
  elector.start();
  return { elector, token, timeline };
}

/** Intervals during which a replica led; no two replicas may overlap. */
function intervals(r: Replica, until: number): [number, number][] {
  const out: [number, number][] = [];
  let start: number | null = null;
  for (const e of r.timeline) {
    if (e.leading) start = e.at;
    else if (start !== null) { out.push([start, e.at]); start = null; }
  }
  if (start !== null) out.push([start, until]);
  return out;
}

function expectNoOverlap(a: Replica, b: Replica): void {
  const now = Date.now();
  for (const [s1, e1] of intervals(a, now)) for (const [s2, e2] of intervals(b, now)) expect(s1 >= e2 || s2 >= e1).toBe(true);
}

test('one of two replicas leads; the Lease is created and renewed with conditional writes', async () => {
  const a = replica('reaper-a', 'lease-1');
  await waitFor(() => a.elector.isLeader, 3_000, 'a did not lead');
  const b = replica('reaper-b', 'lease-1');
  await waitFor(() => api.sent({ verb: 'get', path: /lease-1$/ }).filter((r) => r.token === b.token).length >= 3, 3_000, 'b is not campaigning');
  expect(b.elector.isLeader).toBe(false);

  const lease = api.object('leases', NS, 'lease-1')!;
  expect(lease.spec).toMatchObject({ holderIdentity: 'reaper-a', leaseDurationSeconds: 1, leaseTransitions: 0 });
  expect(lease.spec.renewTime).toMatch(/\.\d{6}Z$/);
  const create = api.sent({ verb: 'create', resource: 'coordination.k8s.io/leases' });
  expect(create.map((r) => [r.method, r.path, r.contentType])).toEqual([['POST', `/apis/coordination.k8s.io/v1/namespaces/${NS}/leases`, 'application/json']]);
  const renewals = api.sent({ verb: 'update', path: /lease-1$/ });
  expect(renewals.length).toBeGreaterThan(0);
  for (const r of renewals) {
    expect(r.method).toBe('PUT');
    expect(JSON.parse(String(r.body)).metadata.resourceVersion).toMatch(/^\d+$/);
  }
  // b never wrote: the Lease was held.
  expect(renewals.every((r) => r.token === a.token)).toBe(true);
});

test('the leader is killed: the standby takes over within the lease duration', async () => {
  const a = replica('reaper-a', 'lease-2');
  await waitFor(() => a.elector.isLeader, 3_000, 'a did not lead');
  const b = replica('reaper-b', 'lease-2');
  await waitFor(() => api.sent({ verb: 'get', path: /lease-2$/ }).some((r) => r.token === b.token), 3_000, 'b not campaigning');

  const killed = Date.now();
  await a.elector.stop(false); // killed: nothing released
  await waitFor(() => b.elector.isLeader, LEASE_MS + 3_000, 'b did not take over');
  // The lease duration, plus a retry period and scheduling slack on a busy machine.
  expect(Date.now() - killed).toBeLessThan(LEASE_MS + RETRY_MS + 900);
  expect(api.object('leases', NS, 'lease-2')!.spec).toMatchObject({ holderIdentity: 'reaper-b', leaseTransitions: 1 });
  expectNoOverlap(a, b);
});

test('a leader cut off from the API server stops leading before the other starts', async () => {
  const a = replica('reaper-a', 'lease-3');
  await waitFor(() => a.elector.isLeader, 3_000, 'a did not lead');
  const b = replica('reaper-b', 'lease-3');
  await waitFor(() => api.sent({ verb: 'get', path: /lease-3$/ }).some((r) => r.token === b.token), 3_000, 'b not campaigning');

  api.cutOff(a.token);
  await waitFor(() => !a.elector.isLeader, RENEW_MS + 1_000, 'a kept leading without renewing');
  await waitFor(() => b.elector.isLeader, LEASE_MS + 3_000, 'b did not take over');
  const aStopped = a.timeline.find((e) => !e.leading)!.at;
  const bStarted = b.timeline.find((e) => e.leading)!.at;
  expect(bStarted).toBeGreaterThan(aStopped);

  // a comes back: it reads b's Lease and stays a standby.
  api.restore(a.token);
  await waitFor(() => api.sent({ verb: 'get', path: /lease-3$/ }).filter((r) => r.token === a.token && r.status === 200).length >= 2, 3_000, 'a not reading again');
  expect(a.elector.isLeader).toBe(false);
  expectNoOverlap(a, b);
});

test('a clean shutdown releases the Lease: the standby leads at once', async () => {
  const a = replica('reaper-a', 'lease-4');
  await waitFor(() => a.elector.isLeader, 3_000, 'a did not lead');
  const b = replica('reaper-b', 'lease-4');
  await waitFor(() => api.sent({ verb: 'get', path: /lease-4$/ }).some((r) => r.token === b.token), 3_000, 'b not campaigning');
  const stopped = Date.now();
  await a.elector.stop(true);
  expect(api.object('leases', NS, 'lease-4')!.spec.holderIdentity).toBeUndefined();
  await waitFor(() => b.elector.isLeader, LEASE_MS, 'b did not take the released lease');
  // Well before the Lease could have expired (at least LEASE_MS - RETRY_MS after the last renewal).
  expect(Date.now() - stopped).toBeLessThan(LEASE_MS - 2 * RETRY_MS);
  expectNoOverlap(a, b);
});

test('two replicas starting together: the create race has one winner', async () => {
  const a = replica('reaper-a', 'lease-5');
  const b = replica('reaper-b', 'lease-5');
  await waitFor(() => a.elector.isLeader || b.elector.isLeader, 3_000, 'nobody leads');
  // Let several rounds pass: still exactly one.
  await waitFor(() => api.sent({ verb: 'update', path: /lease-5$/ }).length >= 3, 3_000, 'no renewals');
  expect(Number(a.elector.isLeader) + Number(b.elector.isLeader)).toBe(1);
  const creates = api.sent({ verb: 'create', resource: 'coordination.k8s.io/leases' }).filter((r) => JSON.parse(String(r.body)).metadata.name === 'lease-5');
  expect(creates.filter((r) => r.status === 201)).toHaveLength(1);
  expectNoOverlap(a, b);
});
