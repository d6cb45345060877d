// The finalizer with COMMIT_DURABILITY=replicated (docs/redis-cluster.md, section 4): a finalize
// entry it read is written to DynamoDB only once a replica has it, or after COMMIT_WAIT_MS (then
// counted), so a failover cannot take back the end of a game already recorded. On a real
// redis-server with a replica whose process the test stops (SIGSTOP) and resumes, and dynalite:
// first the Redis fact the design rests on (WAIT after XREADGROUP covers the entries read), then
// the finalizer's read and claim paths, and the same on a Redis Cluster (where a keyless WAIT
// would go to any node). No sleeps: every wait is for an event (a connection blocked in WAIT, a
// counter moving), with a timeout.
import { afterAll, afterEach, beforeAll, describe, expect, test } from '@jest/globals';
import calculateSlot from 'cluster-key-slot';
import { Cluster, Redis } from 'ioredis';
import { FINALIZER_GROUP, keys } from '@gambit/common';
import { encodeFinalize, type GameRecord } from '@gambit/protocol';
import type { RunningFinalizer } from '../../services/finalizer/src/app.js';
import { startFinalizer } from '../../services/finalizer/src/app.js';
import { loadFinalizerConfig } from '../../services/finalizer/src/config.js';
import { startReplica, waitFor } from '../support/redis.js';
import { startRedisCluster, type RedisCluster } from '../support/redis-cluster.js';
import { eventually, gameRecord, metric, startFixture, type Fixture } from './finalizer-fixture.js';

const replicated = (waitMs: number) => ({ COMMIT_DURABILITY: 'replicated', COMMIT_WAIT_MS: String(waitMs) });
const stored = (fin: RunningFinalizer) => metric(fin.port, 'gambit_finalizer_games_total', { outcome: 'stored' });
const unreplicated = (fin: RunningFinalizer) => metric(fin.port, 'gambit_finalizer_reads_unreplicated_total');
const player = (id: string) => ({ playerId: id, name: id });

/** Whether a connection named `name` is blocked in `cmd` on `node` (CLIENT LIST: flags b). */
async function blockedIn(node: Redis, name: string, cmd: string): Promise<boolean> {
  const list = String(await node.client('LIST'));
  return list.split('\n').some((l) => l.includes(` name=${name} `) && / flags=\S*b/.test(l) && l.includes(` cmd=${cmd} `));
}
const blockedInWait = (node: Redis, name: string) => blockedIn(node, name, 'wait');

/** SIGSTOP / SIGCONT a redis-server by its pid (INFO server), for nodes the test did not spawn itself. */
async function pauser(host: string, port: number): Promise<{ pause(): void; resume(): void }> {
  const r = new Redis({ host, port });
  const pid = Number(/process_id:(\d+)/.exec(await r.info('server'))?.[1]);
  r.disconnect();
  if (!pid) throw new Error(`no process_id from the node on port ${port}`);
  return { pause: () => process.kill(pid, 'SIGSTOP'), resume: () => process.kill(pid, 'SIGCONT') };
}

test('settings: the engines\' names and bounds; off by default; a bad value is named', () => {
  expect(loadFinalizerConfig({})).toMatchObject({ COMMIT_DURABILITY: 'async', COMMIT_WAIT_MS: 250 });
  expect(loadFinalizerConfig(replicated(100))).toMatchObject({ COMMIT_DURABILITY: 'replicated', COMMIT_WAIT_MS: 100 });
  expect(() => loadFinalizerConfig({ COMMIT_DURABILITY: 'sync' })).toThrow(/COMMIT_DURABILITY="sync"/);
  expect(() => loadFinalizerConfig({ COMMIT_WAIT_MS: '0' })).toThrow(/COMMIT_WAIT_MS="0"/);
  expect(() => loadFinalizerConfig({ COMMIT_WAIT_MS: '10001' })).toThrow(/COMMIT_WAIT_MS="10001"/);
});

describe('one primary and a replica', () => {
  let f: Fixture;
  let replica: Awaited<ReturnType<typeof startReplica>>;
  let stream: string;
  // One finalizer at a time: they share the consumer group, so a previous test's would take the entry.
  const fins: RunningFinalizer[] = [];
  const start = async (consumer: string, waitMs: number, extra: Record<string, string> = {}) => {
    const fin = await f.start(consumer, { ...replicated(waitMs), ...extra });
    fins.push(fin);
    return fin;
  };
  const publish = (g: GameRecord) => f.redis.xadd(stream, '*', ...(encodeFinalize(g.room, g) as [string]));

  beforeAll(async () => {
    f = await startFixture('fdur');
    replica = await startReplica(f.redisServer);
    stream = f.k.finalize(f.k.shardOf('ABCD2345'));
  }, 30_000);
  afterEach(async () => {
    replica?.resume();
    await Promise.all(fins.splice(0).map((fin) => fin.close()));
  });
  afterAll(async () => {
    await replica?.stop();
    await f?.stop();
  });

  test('redis-server: WAIT after an XREADGROUP (a blocking one woken by the XADD too) waits for the entries read', async () => {
    const reader = new Redis(f.redisServer.url, { connectionName: 'probe-reader' });
    const read = (blockMs?: number) => blockMs
      ? reader.xreadgroup('GROUP', 'g', 'c', 'COUNT', 10, 'BLOCK', blockMs, 'STREAMS', 'fdur:probe', '>')
      : reader.xreadgroup('GROUP', 'g', 'c', 'COUNT', 10, 'STREAMS', 'fdur:probe', '>');
    try {
      await f.redis.xgroup('CREATE', 'fdur:probe', 'g', '0', 'MKSTREAM');
      expect(await reader.wait(1, 10_000)).toBe(1); // the replica has everything so far
      for (const blocking of [false, true]) {
        replica.pause();
        try {
          let rows;
          if (blocking) {
            const reading = read(10_000);
            await waitFor(() => blockedIn(f.redis, 'probe-reader', 'xreadgroup'), 5_000, 'the read never blocked');
            await f.redis.xadd('fdur:probe', '*', 'n', 'blocking');
            rows = await reading;
          } else {
            await f.redis.xadd('fdur:probe', '*', 'n', 'immediate');
            rows = await read();
          }
          expect(rows).not.toBeNull();
          // The replica's process is stopped: no replica can acknowledge the read's offset.
          expect(await reader.wait(1, 200)).toBe(0);
        } finally {
          replica.resume();
        }
        expect(await reader.wait(1, 10_000)).toBe(1);
      }
      // And the replica has what was read.
      const onReplica = new Redis(replica.url);
      expect(await onReplica.xlen('fdur:probe')).toBe(2);
      onReplica.disconnect();
    } finally {
      reader.disconnect();
    }
  });

  test('the replica up: games are stored promptly, no read counted', async () => {
    const fin = await start('up', 10_000);
    const g = gameRecord(player('u1'), player('u2'));
    const before = await stored(fin);
    const t0 = Date.now();
    await publish(g);
    await eventually('the game stored', async () => (await stored(fin)) > before);
    expect(Date.now() - t0).toBeLessThan(5_000); // far from COMMIT_WAIT_MS (a loaded machine's slack)
    expect(await f.store.getGame(g.gameId)).not.toBeNull();
    expect(await unreplicated(fin)).toBe(0);
  });

  test('the replica stopped: the game is not written while WAIT waits, and is the moment the replica runs again', async () => {
    const fin = await start('paused', 10_000);
    const g = gameRecord(player('p1'), player('p2'));
    const before = await stored(fin);
    replica.pause();
    try {
      await publish(g);
      // The finalizer read the entry and its reader waits in WAIT (10 s: it cannot time out here).
      await waitFor(() => blockedInWait(f.redis, 'finalizer:paused:reader'), 10_000, 'the finalizer never waited for the replica');
      expect(await f.store.getGame(g.gameId)).toBeNull();
      expect(await stored(fin)).toBe(before);
    } finally {
      replica.resume();
    }
    await eventually('the game stored once the replica ran', async () => (await stored(fin)) > before);
    expect(await f.store.getGame(g.gameId)).not.toBeNull();
    expect(await unreplicated(fin)).toBe(0);
  });

  test('a WAIT longer than CLAIM_IDLE_MS: the batch waiting is not claimed and handled a second time', async () => {
    const claimIdleMs = 300;
    const fin = await start('held', 10_000, { CLAIM_IDLE_MS: String(claimIdleMs) });
    const duplicates = () => metric(fin.port, 'gambit_finalizer_games_total', { outcome: 'duplicate' });
    const g = gameRecord(player('h1'), player('h2'));
    const before = await stored(fin);
    replica.pause();
    try {
      await publish(g);
      await waitFor(() => blockedInWait(f.redis, 'finalizer:held:reader'), 10_000, 'the finalizer never waited for the replica');
      // The fault held for four idle periods: the claim runs every third of one, and an entry that
      // did not count as in flight would be claimed, wait on the writer, and be stored twice.
      const heldFrom = Date.now();
      await waitFor(async () => Date.now() - heldFrom > 4 * claimIdleMs, 10_000, 'the clock stopped');
    } finally {
      replica.resume();
    }
    await eventually('the game stored once the replica ran', async () => (await stored(fin)) > before);
    await eventually('every batch settled', async () => Number(await f.redis.xpending(stream, FINALIZER_GROUP).then((p) => (p as unknown[])[0])) === 0);
    expect(await duplicates()).toBe(0);
  });

  test('the replica stopped past COMMIT_WAIT_MS: the read is counted and the game stored anyway', async () => {
    const waitMs = 400;
    const fin = await start('late', waitMs);
    const g = gameRecord(player('l1'), player('l2'));
    const before = await stored(fin);
    replica.pause();
    const t0 = Date.now();
    try {
      await publish(g);
      await eventually('the game stored after the timeout', async () => (await stored(fin)) > before);
    } finally {
      replica.resume();
    }
    expect(Date.now() - t0).toBeGreaterThanOrEqual(waitMs);
    expect(await unreplicated(fin)).toBe(1);
    expect(await f.store.getGame(g.gameId)).not.toBeNull();
  });

  test('an entry claimed from a dead finalizer waits for the replica too (WAIT on the connection that claimed it)', async () => {
    const g = gameRecord(player('c1'), player('c2'));
    await f.redis.xgroup('CREATE', stream, FINALIZER_GROUP, '0', 'MKSTREAM').catch(() => undefined);
    replica.pause();
    let fin: RunningFinalizer | undefined;
    try {
      await publish(g);
      // Read by a finalizer that died at once: pending on it, for a live one to claim after CLAIM_IDLE_MS.
      await f.redis.xreadgroup('GROUP', FINALIZER_GROUP, 'dead', 'COUNT', 10, 'STREAMS', stream, '>');
      fin = await start('adopter', 10_000);
      await waitFor(() => blockedInWait(f.redis, 'finalizer:adopter:claimer'), 10_000, 'the claim never waited for the replica');
      expect(await f.store.getGame(g.gameId)).toBeNull();
    } finally {
      replica.resume();
    }
    await eventually('the claimed game stored once the replica ran', async () => f.store.getGame(g.gameId));
    expect(await unreplicated(fin!)).toBe(0);
  });
});

describe('a Redis Cluster (REDIS_MODE=cluster)', () => {
  let cluster: RedisCluster;
  let f: Fixture;
  let client: Cluster;
  let fin: RunningFinalizer | undefined;

  beforeAll(async () => {
    [cluster, f] = await Promise.all([startRedisCluster({ nodeTimeoutMs: 1500 }), startFixture('fdurc')]);
    client = new Cluster(cluster.startupNodes);
    await waitFor(() => client.status === 'ready', 20_000, () => `the Cluster client is ${client.status}`);
  }, 90_000);
  afterAll(async () => {
    await fin?.close();
    client?.disconnect();
    await Promise.all([cluster?.stop(), f?.stop()]);
  });

  test('WAIT runs on the stream\'s primary, on the connection that read: the game waits for that primary\'s replica', async () => {
    const k = keys('fdurc', 1, 'cluster');
    const g = gameRecord(player('k1'), player('k2'));
    const stream = k.finalize(k.shardOf(g.room));
    const primary = await cluster.primaryForSlot(calculateSlot(stream));
    const replica = await pauser(primary.host, cluster.replicasOf(primary.port)[0]!.port);
    fin = await startFinalizer(f.config({
      REDIS_URL: cluster.startupNodes.map((n) => `redis://${n.host}:${n.port}`).join(','), REDIS_MODE: 'cluster', ...replicated(10_000),
    }), { consumer: 'kc' });
    const direct = new Redis({ host: primary.host, port: primary.port });
    replica.pause();
    try {
      await client.xadd(stream, '*', ...(encodeFinalize(g.room, g) as [string]));
      await waitFor(() => blockedInWait(direct, 'finalizer:kc:reader'), 10_000, 'the finalizer never waited on the stream\'s primary');
      expect(await f.store.getGame(g.gameId)).toBeNull();
    } finally {
      replica.resume();
      direct.disconnect();
    }
    await eventually('the game stored once the replica ran', async () => f.store.getGame(g.gameId));
    expect(await unreplicated(fin)).toBe(0);
  }, 30_000);
});
