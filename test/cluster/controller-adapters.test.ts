// The controller's Redis adapters, the accounts service's sessions and jobs, the finalizer's
// dead-letter replay and the pairing scripts on a real Redis Cluster (issue 16), through the client
// the services make in cluster mode (auto-pipelining) and the cluster key layout with four room
// shards. The keys each call touches lie in several slots on several primaries (checked, so a layout
// change cannot make a test pass vacuously): a MULTI, a pipeline, a multi-key command or a script
// across slots fails here with CROSSSLOT or ioredis's one-node pipeline rule, and a SCAN run on one
// node misses the others' keys. Every script these adapters define must start with `#!lua`.
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import calculateSlot from 'cluster-key-slot';
import { connectRedis, createLogger, ENGINE_GROUP, keys as makeKeys, Registry, type Keys, type RedisClient } from '@gambit/common';
import { ChallengeStore, PoolStore, SeekStore } from '@gambit/pairing';
import { FINALIZE_PATTERN, encodeDeadLetter, encodeDelivery, poolTimeControl, type EngineCommand } from '@gambit/protocol';
import { parseEntries } from '@gambit/streams';
import { GatewayJanitor } from '../../controllers/room-reaper/src/redis/gateways.js';
import { StreamHousekeeper } from '../../controllers/room-reaper/src/redis/streams.js';
import { readCounts } from '../../controllers/room-reaper/src/redis/counts.js';
import { controllerMetrics } from '../../controllers/room-reaper/src/metrics.js';
import type { PodView } from '../../controllers/room-reaper/src/rules/reap.js';
import { Sessions } from '../../services/accounts/src/adapters/sessions.js';
import { AccountJobs } from '../../services/accounts/src/adapters/jobs.js';
import { replayDeadLetters } from '../../services/finalizer/src/replay.js';
import { startRedisCluster, type RedisCluster } from '../support/redis-cluster.js';
import { connectCluster, expectSpread as expectSpreadOn, spread, type ClusterClient } from './support.js';
import { waitFor } from '../support/redis.js';

const log = createLogger('test', 'silent');
let cluster: RedisCluster;
let url: string;
let redis: RedisClient;
const k: Keys = makeKeys('gambit', 4, 'cluster');
/** slot -> port of the primary serving it. */
let nodeOfSlot: (slot: number) => number;
let c: ClusterClient;
let primaryCount: number;
/** Every Lua script the adapters define, by command name. */
const scripts = new Map<string, string>();

beforeAll(async () => {
  cluster = await startRedisCluster();
  c = await connectCluster(cluster);
  ({ url, redis, nodeOfSlot, primaryCount } = c);
  type Define = (name: string, def: { lua: string; numberOfKeys?: number }) => void;
  const client = redis as unknown as { defineCommand: Define };
  const define = client.defineCommand.bind(redis);
  client.defineCommand = (name, def) => {
    scripts.set(name, def.lua);
    define(name, def);
  };
}, 90_000);

afterAll(async () => {
  redis?.disconnect();
  await cluster?.stop();
});

const expectSpread = (keyList: string[]) => expectSpreadOn(c, keyList);

/** How many of the keys exist (one EXISTS each: they are in many slots). */
async function existing(keyList: string[]): Promise<number> {
  return (await Promise.all(keyList.map((key) => redis.exists(key)))).reduce((a, b) => a + b, 0);
}

/** A room code of each shard. */
function roomsByShard(prefix: string): string[] {
  const rooms: string[] = [];
  for (let i = 0; rooms.filter(Boolean).length < k.shards; i++) rooms[k.shardOf(`${prefix}${i}`)] ??= `${prefix}${i}`;
  return rooms;
}

const anEvent = encodeDelivery({ k: 'conn', conn: 'c0', msg: { t: 'pong', serverTime: 0 } }) as [string];
const copies = () => k.allShards.map((s) => k.shardGateways(s));

describe('controller', () => {
  type Conns = Record<string, { player: string; rooms: string[]; since?: number }>;

  /** A gateway's registry entries as the gateway writes them: in the registry and each shard's copy, an event stream per shard. */
  async function gateway(gw: string, beatAt: number, conns: Conns): Promise<void> {
    await Promise.all([
      ...[k.gateways, ...copies()].map((set) => redis.zadd(set, beatAt, gw)),
      redis.set(k.gatewayConnections(gw), Object.keys(conns).length, 'PX', 60_000),
      ...Object.entries(conns).flatMap(([c, v]) => [
        redis.hset(k.conn(c), { gw, playerId: v.player, since: v.since ?? beatAt - 1000, rooms: v.rooms.join(',') }),
        redis.sadd(k.gatewayConns(gw), c),
      ]),
      ...k.allShards.map((s) => redis.xadd(k.gatewayEvents(gw, s), '*', ...anEvent)),
    ]);
  }

  /** Every key of a gateway but the registry sets. */
  const keysOf = (gw: string, conns: string[]) => [k.gatewayConns(gw), k.gatewayConnections(gw), ...conns.map((c) => k.conn(c)), ...k.allShards.map((s) => k.gatewayEvents(gw, s))];
  /** The disconnects sent for gateway `gw`, by shard: the rooms. */
  const disconnects = (gw: string) => Promise.all(k.allShards.map(async (s) => parseEntries((await redis.xrange(k.commands(s), '-', '+')) as [string, string[]][])
    .filter((e) => e.pattern === 'disconnect' && (e.data as Extract<EngineCommand, { t: 'disconnect' }>).origin.gw === gw).map((e) => e.key).sort()));

  test('a dead gateway: disconnects on each room\'s shard, then nothing of it is left in any slot; a live one is untouched', async () => {
    const now = Date.now();
    const rooms = roomsByShard('DEAD');
    const conns: Conns = { 'dead-c1': { player: 'alice', rooms: [rooms[0]!, rooms[2]!] }, 'dead-c2': { player: 'bob', rooms: [rooms[1]!, rooms[3]!] }, 'dead-c3': { player: 'carol', rooms: [] } };
    await gateway('gw-dead', now - 60_000, conns);
    await gateway('gw-live', now, { 'live-c1': { player: 'dave', rooms: [rooms[1]!] } });
    const dead = keysOf('gw-dead', Object.keys(conns));
    expectSpread([...dead, k.gateways, ...copies()]);
    expect(await existing(dead)).toBe(dead.length);
    const metrics = controllerMetrics(new Registry());
    const janitor = new GatewayJanitor(redis, k, () => ({ known: false }), 20_000, log, metrics);

    expect((await janitor.runOnce(now)).dead).toEqual(['gw-dead']);
    expect(await disconnects('gw-dead')).toEqual([[rooms[0]], [rooms[1]], [rooms[2]], [rooms[3]]]);
    expect(await existing(dead)).toBe(0);
    for (const set of [k.gateways, ...copies()]) {
      expect(await redis.zscore(set, 'gw-dead')).toBeNull();
      expect(await redis.zscore(set, 'gw-live')).toBe(String(now));
    }
    const live = keysOf('gw-live', ['live-c1']);
    expect(await existing(live)).toBe(live.length);
    expect((await metrics.deadGateways.get()).values[0]!.value).toBe(1);
    // Again: nothing left to do.
    expect((await janitor.runOnce(now)).dead).toEqual([]);
  });

  test('a gateway that heartbeats after the verdict keeps everything; a cleanup cut short is finished next round', async () => {
    const now = Date.now();
    const rooms = roomsByShard('SLOW');
    await gateway('gw-slow', now - 60_000, { 'slow-c1': { player: 'erin', rooms: [rooms[0]!] } });
    const janitor = new GatewayJanitor(redis, k, () => ({ known: false }), 20_000, log, controllerMetrics(new Registry()));
    await Promise.all([k.gateways, ...copies()].map((set) => redis.zadd(set, now, 'gw-slow'))); // one newer score everywhere
    await janitor.cleanup('gw-slow', String(now - 60_000));
    for (const set of [k.gateways, ...copies()]) expect(await redis.zscore(set, 'gw-slow')).toBe(String(now));
    const slow = keysOf('gw-slow', ['slow-c1']);
    expect(await existing(slow)).toBe(slow.length);

    // A controller killed after the shard steps: the copies and streams are gone, the gateway is still registered.
    await gateway('gw-half', now - 60_000, { 'half-c1': { player: 'finn', rooms: [rooms[3]!] } });
    await Promise.all(k.allShards.flatMap((s) => [redis.zrem(k.shardGateways(s), 'gw-half'), redis.del(k.gatewayEvents('gw-half', s))]));
    expect((await janitor.runOnce(now)).dead).toEqual(['gw-half']);
    expect(await redis.zscore(k.gateways, 'gw-half')).toBeNull();
    expect(await existing(keysOf('gw-half', ['half-c1']))).toBe(0);
  });

  test('a restarted gateway container: its earlier sockets go, in their slots; connection counts are read across slots', async () => {
    const now = Date.now();
    const rooms = roomsByShard('REST');
    await gateway('gw-r', now, {
      'r-before1': { player: 'gus', rooms: [rooms[0]!], since: now - 60_000 },
      'r-before2': { player: 'hal', rooms: [rooms[2]!], since: now - 60_000 },
      'r-after': { player: 'ida', rooms: [rooms[1]!], since: now - 1_000 },
    });
    await redis.sadd(k.gatewayConns('gw-r'), 'r-expired'); // its hash expired long ago
    expectSpread([k.gatewayConns('gw-r'), k.conn('r-before1'), k.conn('r-before2')]);
    // The other gateways registered by now have running pods: never judged here.
    const pods = new Map<string, { terminal: boolean; startedAt?: number }>((await redis.zrange(k.gateways, 0, '-1')).map((gw) => [gw, { terminal: false }]));
    pods.set('gw-r', { terminal: false, startedAt: now - 2_000 });
    const view: PodView = { known: true, pods, deleted: new Map() };
    const janitor = new GatewayJanitor(redis, k, () => view, 20_000, log, controllerMetrics(new Registry()));
    expect((await janitor.runOnce(now)).restarted).toEqual(['gw-r']);
    expect(await disconnects('gw-r')).toEqual([[rooms[0]], [], [rooms[2]], []]);
    expect(await redis.smembers(k.gatewayConns('gw-r'))).toEqual(['r-after']);
    expect(await existing([k.conn('r-before1'), k.conn('r-before2'), k.conn('r-after')])).toBe(1);

    const names = ['gw-r', 'gw-live', 'gw-none'];
    expectSpread(names.map((p) => k.gatewayConnections(p)));
    expect(await readCounts(redis, k, names)).toEqual([3, 1, null]);
  });

  test('stream housekeeping: idle consumers of every shard go, orphan streams are found on every primary', async () => {
    const old = Date.now() - 10 * 60_000;
    const ghosts = k.allShards.map((s) => k.gatewayEvents('ghost', s));
    // The shards' streams lie on every primary: a SCAN of one node would miss some.
    expect(new Set(ghosts.map((g) => nodeOfSlot(calculateSlot(g)))).size).toBe(primaryCount);
    for (const g of ghosts) await redis.xadd(g, `${old}-0`, ...anEvent);
    for (const s of k.allShards) {
      await redis.xgroup('CREATE', k.commands(s), ENGINE_GROUP, '$', 'MKSTREAM');
      await redis.xgroup('CREATECONSUMER', k.commands(s), ENGINE_GROUP, 'e-dead');
    }
    const metrics = controllerMetrics(new Registry());
    const hk = new StreamHousekeeper(redis, k, { stuckPendingMs: 60_000, retainMs: 0, consumerIdleMs: 0, orphanStreamMs: 60_000 }, log, metrics);

    const out = await hk.runOnce();
    expect(out.orphans).toEqual(['ghost']);
    expect(await existing(ghosts)).toBe(0);
    expect((await metrics.orphanStreams.get()).values[0]!.value).toBe(ghosts.length);
    for (const s of k.allShards) expect(await redis.xinfo('CONSUMERS', k.commands(s), ENGINE_GROUP)).toEqual([]);
    // Registered gateways' streams stay.
    expect(await existing(k.allShards.map((s) => k.gatewayEvents('gw-live', s)))).toBe(k.shards);
  });
});

describe('accounts', () => {
  test('sessions: create, touch, list, end and end all of a user, presence; each session key in its own slot', async () => {
    const sessions = new Sessions(redis, k, 3_600);
    const sub = connectRedis(url, 'test:sub', 'cluster');
    const ended: string[] = [];
    try {
      sub.on('message', (_channel: string, handle: string) => ended.push(handle));
      await sub.subscribe(k.sessionsEnded);
      // Handles are random: four sessions at least, and more until their keys are on two primaries
      // (five keys all on one of three: one run in 81).
      const made: Awaited<ReturnType<Sessions['create']>>[] = [];
      const keysOf = () => [...made.map((m) => k.session(m.session.handle)), k.userSessions('u_jo')];
      while ((made.length < 4 || !spread(c, keysOf())) && made.length < 40) made.push(await sessions.create({ kind: 'user', playerId: 'u_jo', name: 'Jo' }));
      const handles = made.map((m) => m.session.handle);
      expectSpread(keysOf());
      expect((await redis.smembers(k.userSessions('u_jo'))).sort()).toEqual([...handles].sort());
      expect(await redis.ttl(k.userSessions('u_jo'))).toBeGreaterThan(0);
      expect(await sessions.touch(made[0]!.secret)).toMatchObject({ handle: handles[0], playerId: 'u_jo' });
      expect((await sessions.list('u_jo')).map((s) => s.handle).sort()).toEqual([...handles].sort());

      await sessions.end(made[0]!.session);
      expect(await redis.exists(k.session(handles[0]!))).toBe(0);
      expect(await redis.sismember(k.userSessions('u_jo'), handles[0]!)).toBe(0);
      expect(await sessions.endAll('u_jo')).toBe(made.length - 1);
      expect(await existing([...handles.map((h) => k.session(h)), k.userSessions('u_jo')])).toBe(0);
      await waitFor(() => ended.length === made.length, 5_000, () => `told of ${ended.length} ended sessions`);
      expect([...ended].sort()).toEqual([...handles].sort());

      const guest = await sessions.create({ kind: 'guest', playerId: 'g_kim', name: 'Kim' });
      expect(await sessions.touchHandle(guest.session.handle)).toMatchObject({ kind: 'guest' });
      expect(await redis.exists(k.userSessions('g_kim'))).toBe(0);
    } finally {
      sub.disconnect();
    }

    // Presence: a player's sockets, each conn key in its own slot.
    await Promise.all([
      redis.sadd(k.playerConns('u_lee'), 'lee-gone', 'lee-open'), redis.hset(k.conn('lee-open'), { gw: 'gw-live', playerId: 'u_lee' }),
      redis.sadd(k.playerConns('u_max'), 'max-gone'), redis.set(k.lastSeen('u_lee'), 1234),
    ]);
    expectSpread([k.playerConns('u_lee'), k.playerConns('u_max'), k.conn('lee-gone'), k.conn('lee-open'), k.lastSeen('u_lee')]);
    expect(await sessions.presence('u_lee')).toEqual({ online: true, lastSeen: 1234 });
    expect(await sessions.presence('u_max')).toEqual({ online: false, lastSeen: null });
    expect(await sessions.online(['u_lee', 'u_max', 'u_nobody'])).toEqual(new Set(['u_lee']));
    await sessions.forget('u_lee');
    expect(await existing([k.playerConns('u_lee'), k.lastSeen('u_lee')])).toBe(0);
  });

  test('account jobs and the dead-letter replay: each stream with its dead letters in one slot', async () => {
    const jobs = new AccountJobs(redis, k);
    await jobs.erase('u_gone', 'deleted player');
    await jobs.adopt('g_old', 'u_new', 'New');
    expect(await redis.xlen(k.accountJobs)).toBe(2);

    const dead = encodeDeadLetter({ pattern: FINALIZE_PATTERN, key: 'ROOM', json: '{}' }, { error: 'x', failedAt: new Date(0).toISOString(), entry: '0-1' }) as [string];
    for (const s of k.allShards) {
      expect(calculateSlot(k.finalize(s))).toBe(calculateSlot(k.finalizeDead(s)));
      await redis.xadd(k.finalizeDead(s), '*', ...dead);
    }
    expect(calculateSlot(k.accountJobs)).toBe(calculateSlot(k.accountJobsDead));
    await redis.xadd(k.accountJobsDead, '*', ...dead);
    expectSpread(k.allShards.map((s) => k.finalizeDead(s)));
    expect(await replayDeadLetters(redis, k)).toBe(k.shards);
    expect(await replayDeadLetters(redis, { finalize: k.accountJobs, finalizeDead: k.accountJobsDead })).toBe(1);
    for (const s of k.allShards) {
      expect(await redis.xlen(k.finalizeDead(s))).toBe(0);
      expect(await redis.xlen(k.finalize(s))).toBe(1);
    }
    expect(await redis.xlen(k.accountJobsDead)).toBe(0);
    expect(await redis.xlen(k.accountJobs)).toBe(3);
  });

  test('two players\' ratings, friends, blocks and markers share one slot: the finalizer\'s and the friends adapter\'s MULTIs run', async () => {
    const mine = ['u_a', 'u_b'].flatMap((p) => [k.ratings(p), k.friends(p), k.blocks(p), k.friendsCopied(p)]);
    expect(new Set(mine.map((key) => calculateSlot(key))).size).toBe(1);
    await expect(redis.multi().hset(k.ratings('u_a'), 'blitz', '1500 350').hset(k.ratings('u_b'), 'blitz', '1600 300').exec()).resolves.toEqual([[null, 1], [null, 1]]);
  });
});

describe('pairing scripts, with the pair command on the {mm} outbox', () => {
  const pairs = () => k.pairs!;
  const origin = (p: string, gw = 'gw-pair') => ({ gw, conn: `${p}-c`, playerId: p, name: p });

  test('pools: join (leaving the others), leave, claim', async () => {
    expect(calculateSlot(pairs())).toBe(calculateSlot(k.pool('3+2', false)));
    const pools = new PoolStore(redis, k);
    const entry = (p: string) => ({ ...origin(p), rating: 1500, since: Date.now() });
    const ref = { pool: '3+2' as const, rated: false };
    await pools.join({ pool: '5+0', rated: false }, entry('p-ann'));
    await pools.join(ref, entry('p-ann'));
    await pools.join(ref, entry('p-ben'));
    await pools.join(ref, entry('p-cy'));
    expect(await pools.leave('p-cy', 'p-cy-c')).toBe(true);
    expect(await redis.hlen(k.pool('5+0', false))).toBe(0);
    const [a, b] = (await pools.waiting(ref)).sort((x, y) => (x.entry.playerId < y.entry.playerId ? -1 : 1));
    const cmd: Extract<EngineCommand, { t: 'pair' }> = { t: 'pair', origin: origin('p-ann'), opponent: origin('p-ben'), tc: poolTimeControl('3+2'), rated: false, pool: '3+2' };
    expect(await pools.claim(ref, a!, b!, pairs(), 1_000, cmd)).toBe(true);
    expect(await pools.waiting(ref)).toEqual([]);
    expect([await pools.playing('p-ann'), await pools.playing('p-ben')]).toEqual(['pending', 'pending']);
    expect(await redis.xlen(pairs())).toBe(1);
  });

  test('seeks: add, cancel, accept', async () => {
    const seeks = new SeekStore(redis, k);
    await redis.zadd(k.gateways, Date.now(), 'gw-pair'); // the seeks' gateway is alive
    const seek = { ...origin('p-dee'), rating: 1500, since: Date.now(), tc: poolTimeControl('5+0'), color: 'random' as const, rated: false };
    const gone = await seeks.add(seek);
    expect(gone).not.toBeNull();
    expect(await seeks.cancel('p-dee', gone!)).toBe(true);
    const id = await seeks.add(seek);
    expect(await seeks.accept(id!, origin('p-eli'), pairs(), 1_000)).toBe('accepted');
    expect(await seeks.version()).toBe('4'); // add, cancel, add, accept
    expect(await redis.xlen(pairs())).toBe(2);
  });

  test('challenges: open, end, accept', async () => {
    const challenges = new ChallengeStore(redis, k);
    await Promise.all([redis.sadd(k.friends('u_fox'), 'u_gil'), redis.sadd(k.friends('u_gil'), 'u_fox')]);
    const c = { from: origin('u_fox'), to: { playerId: 'u_gil', name: 'Gil' }, tc: poolTimeControl('10+0'), color: 'white' as const, rated: false };
    const first = await challenges.open(c);
    if ('refused' in first) throw new Error(`refused: ${first.refused}`);
    expect(await challenges.end(first)).toBe(true);
    const second = await challenges.open(c);
    if ('refused' in second) throw new Error(`refused: ${second.refused}`);
    const read = await challenges.get('u_gil', 'in', second.id);
    expect(await challenges.accept(read!, origin('u_gil'), pairs(), 1_000)).toBe('accepted');
    expect(await challenges.list('u_gil')).toEqual({ incoming: [], outgoing: [] });
    expect(await redis.xlen(pairs())).toBe(3);
  });
});

test('every script these adapters define starts with #!lua (held to its first key\'s slot)', () => {
  expect([...scripts.keys()].sort()).toEqual([
    'gambitChallengeAccept', 'gambitChallengeEnd', 'gambitChallengeOpen', 'gambitDelConsumer', 'gambitDelOrphan',
    'gambitPoolClaim', 'gambitPoolJoin', 'gambitPoolLeave', 'gambitRetireGateway', 'gambitRetireGatewayShard',
    'gambitSeekAccept', 'gambitSeekAdd', 'gambitSeekRemove',
  ]);
  for (const [name, lua] of scripts) expect(`${name}: ${lua.slice(0, 6)}`).toBe(`${name}: #!lua\n`);
});
