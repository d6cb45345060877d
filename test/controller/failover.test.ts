// Two controller replicas against the test API server and a real Redis: one leads and does the
// work, the other stands by (ready, idle); the leader is killed and the standby takes over within
// the lease duration and reaps what comes due. Also the status endpoints.
import { afterAll, beforeAll, expect, test } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { keys as makeKeys } from '@gambit/common';
import { controllerConfigSchema } from '../../controllers/room-reaper/src/config.js';
import { startController, type RunningController } from '../../controllers/room-reaper/src/app.js';
import { startRedis, waitFor, type RedisHandle } from '../support/redis.js';
import { FakeApiServer } from './fake-apiserver.js';
import { RoomMaker } from './rooms.js';
import { NS, scrape } from './support.js';

const LEASE_MS = 1_000;
const prefix = `f${randomBytes(3).toString('hex')}`;
const keys = makeKeys(prefix);
let server: RedisHandle;
let redis: Redis;
let api: FakeApiServer;
const replicas: RunningController[] = [];

beforeAll(async () => {
  [server, api] = await Promise.all([startRedis(), FakeApiServer.start()]);
  redis = new Redis(server.url);
});
afterAll(async () => {
  await Promise.all(replicas.map((r) => r.close()));
  redis?.disconnect();
  await api?.close();
  await server?.stop();
});

async function replica(name: string): Promise<RunningController> {
  const c = await startController(controllerConfigSchema.parse({
    REDIS_URL: server.url, KEY_PREFIX: prefix, LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent', METRICS_PORT: '0',
    POD_NAME: name, POD_NAMESPACE: NS, LEASE_NAME: 'room-reaper', LEASE_DURATION_MS: String(LEASE_MS), LEASE_RENEW_DEADLINE_MS: '700',
    LEASE_RETRY_MS: '100', ROOM_TTL_MS: '1000', REAP_EVERY_MS: '100',
  }), { kubeConfig: api.kubeConfig(`token-${name}`) });
  replicas.push(c);
  return c;
}

const get = async (c: RunningController, path: string) => {
  const res = await fetch(`http://127.0.0.1:${c.port}${path}`);
  return { status: res.status, body: await res.text() };
};
const rounds = (c: RunningController) => scrape(c.port, 'gambit_reaper_reconcile_seconds_count', { loop: 'rooms' }).then((n) => (Number.isNaN(n) ? 0 : n));

test('one replica leads and works, the other stands by; the leader is killed and the standby takes over', async () => {
  const a = await replica('reaper-a');
  await waitFor(() => a.isLeader(), 3_000, 'a did not lead');
  const b = await replica('reaper-b');
  await waitFor(async () => (await get(b, '/readyz')).status === 200, 3_000, 'b not ready');

  expect(await get(a, '/healthz')).toEqual({ status: 200, body: 'ok' });
  expect((await get(a, '/readyz')).status).toBe(200);
  expect(await scrape(a.port, 'gambit_reaper_leader')).toBe(1);
  expect(await scrape(b.port, 'gambit_reaper_leader')).toBe(0);
  expect(b.isLeader()).toBe(false);
  // The leader scans; the standby does not.
  await waitFor(async () => (await rounds(a)) >= 3, 3_000, 'leader not reaping');
  expect(await rounds(b)).toBe(0);

  const killed = Date.now();
  a.crash();
  await waitFor(() => b.isLeader(), LEASE_MS + 3_000, 'b did not take over');
  // The lease duration, plus a retry period and scheduling slack on a busy machine.
  expect(Date.now() - killed).toBeLessThan(LEASE_MS + 1_000);
  expect(api.object('leases', NS, 'room-reaper')!.spec).toMatchObject({ holderIdentity: 'reaper-b', leaseTransitions: 1 });

  // The new leader does the work: a room created now expires through it.
  const room = await new RoomMaker(redis, keys, { roomTtlMs: 1_000, graceMs: 1_000 }).create('alice');
  const deadline = Number(await redis.zscore(keys.roomExpiries(keys.shardOf(room)), room));
  await waitFor(async () => !(await redis.exists(keys.room(room))), 4_000, 'room not reaped by the new leader');
  expect(Date.now() - deadline).toBeLessThan(2_000);
  expect(await scrape(b.port, 'gambit_reaper_rooms_total', { event: 'gone' })).toBe(1);
  expect(api.violations).toEqual([]);
});

test('a replica that stops cleanly hands the lease over at once', async () => {
  const c = await replica('reaper-c');
  const leader = replicas.find((r) => r.isLeader())!;
  expect(leader.id).toBe('reaper-b');
  const stopped = Date.now();
  await leader.close();
  await waitFor(() => c.isLeader(), LEASE_MS, 'c did not take over');
  // Well before the Lease could have expired (at least LEASE_MS - LEASE_RETRY_MS after the last renewal).
  expect(Date.now() - stopped).toBeLessThan(LEASE_MS - 200);
  expect(api.violations).toEqual([]);
});
