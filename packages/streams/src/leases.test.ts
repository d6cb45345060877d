// Stream leases against a real redis-server: members split the streams, a clean stop hands them on
// at the others' next renewal, a crashed member's run out with its lease; Redis's clock decides.
import { afterAll, beforeAll, expect, test } from '@jest/globals';
import { Redis } from 'ioredis';
import { createLogger } from '@gambit/common';
import { startRedis, waitFor, type RedisHandle } from '../../../test/support/redis.js';
import { StreamLeases } from './leases.js';
import { owners } from './owners.js';

let redis: RedisHandle;
let client: Redis;
beforeAll(async () => { redis = await startRedis(); client = new Redis(redis.url); });
afterAll(async () => { client.disconnect(); await redis.stop(); });

const streams = Array.from({ length: 16 }, (_, i) => `s${i}`);

function member(me: string, key: string, leaseMs = 600) {
  const owned = { now: [] as readonly string[], changes: 0 };
  const leases = new StreamLeases({
    redis: client, key, me, leaseMs, streams, logger: createLogger('test', 'silent'),
    onOwned: (o) => { owned.now = o; owned.changes += 1; },
  });
  return { leases, owned };
}

const split = (...ms: { owned: { now: readonly string[] } }[]) => {
  const all = ms.flatMap((m) => m.owned.now);
  return all.length === streams.length && new Set(all).size === streams.length;
};

test('members split the streams; a clean stop hands its streams on at the next renewal; a crash, when its lease runs out', async () => {
  const a = member('a', 'l1');
  expect(await a.leases.start()).toEqual(streams); // alone: everything
  const b = member('b', 'l1');
  const c = member('c', 'l1');
  await b.leases.start();
  await c.leases.start();
  await waitFor(() => split(a, b, c), 5_000, 'the three never split the streams');
  for (const m of [a, b, c]) expect(m.owned.now.length).toBeGreaterThan(0);
  expect((await client.zrange('l1', '0', '-1')).sort()).toEqual(['a', 'b', 'c']);

  await b.leases.stop();
  expect((await client.zrange('l1', '0', '-1')).sort()).toEqual(['a', 'c']);
  await waitFor(() => split(a, c), 2_000, 'b\'s streams not taken after its stop');

  c.leases.crash();
  const crashedAt = Date.now();
  await waitFor(() => a.owned.now.length === streams.length, 5_000, 'c\'s streams not taken after its lease ran out');
  expect(Date.now() - crashedAt).toBeGreaterThanOrEqual(300); // not before the lease (600 ms) had mostly run
  await a.leases.stop();
});

test('a renewal that owns the same streams tells nobody; a lease shorter than 300 ms is refused', async () => {
  const a = member('a', 'l2', 300);
  await a.leases.start();
  const changes = a.owned.changes;
  await waitFor(async () => Number((await client.zscore('l2', 'a'))) > 0, 1_000, 'no lease');
  const first = Number(await client.zscore('l2', 'a'));
  await waitFor(async () => Number(await client.zscore('l2', 'a')) > first, 2_000, 'the lease was not renewed');
  expect(a.owned.changes).toBe(changes);
  await a.leases.stop();
  expect(() => member('x', 'l2', 299)).toThrow('at least 300 ms');
});

test('a member that owns nothing when it joins is told so (its reader must drop the default of reading all)', async () => {
  const one = ['only'];
  const winner = owners(one, ['a', 'b']).get('only')!;
  const loser = winner === 'a' ? 'b' : 'a';
  const told: (readonly string[])[] = [];
  const make = (me: string) => new StreamLeases({
    redis: client, key: 'l3', me, leaseMs: 600, streams: one, logger: createLogger('test', 'silent'),
    onOwned: (o) => { if (me === loser) told.push(o); },
  });
  const w = make(winner);
  const l = make(loser);
  try {
    await w.start();
    expect(await l.start()).toEqual([]);
    expect(told).toEqual([[]]);
  } finally {
    await Promise.all([w.stop(), l.stop()]);
  }
});
