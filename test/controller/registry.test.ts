// Dead-gateway cleanup and stream housekeeping against a real redis-server.
import { afterAll, beforeAll, expect, test } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { ENGINE_GROUP, FINALIZER_GROUP, Registry, keys as makeKeys } from '@gambit/common';
import { FINALIZE_PATTERN, ROOM_CODE_ALPHABET, encodeDeadLetter, encodeDelivery, encodeEntry } from '@gambit/protocol';
import { parseEntries } from '@gambit/streams';
import { GatewayJanitor } from '../../controllers/room-reaper/src/redis/gateways.js';
import { StreamHousekeeper } from '../../controllers/room-reaper/src/redis/streams.js';
import { controllerMetrics } from '../../controllers/room-reaper/src/metrics.js';
import type { PodView } from '../../controllers/room-reaper/src/rules/reap.js';
import { startRedis, waitFor, type RedisHandle } from '../support/redis.js';
import { log } from './support.js';

let server: RedisHandle;
let redis: Redis;
beforeAll(async () => {
  server = await startRedis();
  redis = new Redis(server.url);
});
afterAll(async () => {
  redis?.disconnect();
  await server?.stop();
});

const fresh = () => makeKeys(`g${randomBytes(3).toString('hex')}`);
/** Entries whose content does not matter here, each in its stream's layout. */
const anEvent = encodeDelivery({ k: 'conn', conn: 'c0', msg: { t: 'pong', serverTime: 0 } }) as [string];
const aCommand = encodeEntry('move', 'ROOM', {}) as [string];
const aGame = encodeEntry(FINALIZE_PATTERN, 'ROOM', {}) as [string];
const aDeadLetter = encodeDeadLetter({ pattern: FINALIZE_PATTERN, key: 'ROOM', json: '{}' }, { error: 'x', failedAt: new Date(0).toISOString(), entry: '0-1' }) as [string];

/** A gateway's registry entries, as services/gateway/src/redis/registry.ts writes them: in the registry and every shard's copy, an event stream per shard. */
async function gateway(keys: ReturnType<typeof makeKeys>, gw: string, beatAt: number, conns: Record<string, { player: string; rooms: string[]; since?: number }>) {
  const m = redis.multi().zadd(keys.gateways, beatAt, gw).set(keys.gatewayConnections(gw), Object.keys(conns).length, 'PX', 15_000);
  for (const s of keys.allShards) if (keys.shardGateways(s) !== keys.gateways) m.zadd(keys.shardGateways(s), beatAt, gw);
  for (const [c, v] of Object.entries(conns)) {
    m.hset(keys.conn(c), 'gw', gw, 'playerId', v.player, 'since', v.since ?? beatAt - 1000, 'rooms', v.rooms.join(',')).sadd(keys.gatewayConns(gw), c);
  }
  for (const s of keys.allShards) m.xadd(keys.gatewayEvents(gw, s), '*', ...anEvent);
  await m.exec();
}

test('a dead gateway: one disconnect per room of each connection, then its registry entries and stream are gone', async () => {
  const keys = fresh();
  const now = Date.now();
  await gateway(keys, 'gw-dead', now - 60_000, { c1: { player: 'alice', rooms: ['ROOMAAAA', 'ROOMBBBB'] }, c2: { player: 'bob', rooms: ['ROOMCCCC'] }, c3: { player: 'carol', rooms: [] } });
  await gateway(keys, 'gw-live', now, { c9: { player: 'dave', rooms: ['ROOMDDDD'] } });
  const metrics = controllerMetrics(new Registry());
  const janitor = new GatewayJanitor(redis, keys, () => ({ known: false }), 20_000, log, metrics);

  expect((await janitor.runOnce(now)).dead).toEqual(['gw-dead']);
  const sent = parseEntries((await redis.xrange(keys.commands(0), '-', '+')) as [string, string[]][]);
  expect(sent.map((e) => [e.pattern, e.key, e.data])).toEqual(expect.arrayContaining([
    ['disconnect', 'ROOMAAAA', { t: 'disconnect', room: 'ROOMAAAA', origin: { gw: 'gw-dead', conn: 'c1', playerId: 'alice', name: 'alice' } }],
    ['disconnect', 'ROOMBBBB', { t: 'disconnect', room: 'ROOMBBBB', origin: { gw: 'gw-dead', conn: 'c1', playerId: 'alice', name: 'alice' } }],
    ['disconnect', 'ROOMCCCC', { t: 'disconnect', room: 'ROOMCCCC', origin: { gw: 'gw-dead', conn: 'c2', playerId: 'bob', name: 'bob' } }],
  ]));
  expect(sent).toHaveLength(3);
  expect(await redis.zrange(keys.gateways, 0, '-1')).toEqual(['gw-live']);
  expect(await redis.exists(keys.conn('c1'), keys.conn('c2'), keys.conn('c3'), keys.gatewayConns('gw-dead'), keys.gatewayEvents('gw-dead', 0), keys.gatewayConnections('gw-dead'))).toBe(0);
  expect(await redis.exists(keys.conn('c9'), keys.gatewayConns('gw-live'), keys.gatewayEvents('gw-live', 0))).toBe(3);
  expect((await metrics.deadGateways.get()).values[0]!.value).toBe(1);
  expect((await metrics.disconnects.get()).values[0]!.value).toBe(3);

  // Again: nothing left to do.
  expect((await janitor.runOnce(now)).dead).toEqual([]);
  expect(await redis.xlen(keys.commands(0))).toBe(3);
});

test('with Kubernetes: a deleted pod is dead at once; a running pod or a heartbeating gateway never is', async () => {
  const keys = fresh();
  const now = Date.now();
  await gateway(keys, 'gw-deleted', now - 3_000, { d1: { player: 'p1', rooms: ['ROOM1111'] } });
  await gateway(keys, 'gw-running', now - 60_000, { r1: { player: 'p2', rooms: ['ROOM2222'] } });
  await gateway(keys, 'gw-misnamed', now, { m1: { player: 'p3', rooms: ['ROOM3333'] } });
  const view: PodView = { known: true, pods: new Map([['gw-running', { terminal: false }]]), deleted: new Map([['gw-deleted', now - 1_000]]) };
  const metrics = controllerMetrics(new Registry());
  const janitor = new GatewayJanitor(redis, keys, () => view, 20_000, log, metrics);
  expect((await janitor.runOnce(now)).dead).toEqual(['gw-deleted']);
  const states = Object.fromEntries((await metrics.gateways.get()).values.map((v) => [v.labels.state, v.value]));
  expect(states).toEqual({ alive: 0, dead: 1, unresponsive: 1, 'no-pod': 1 });
  expect((await redis.zrange(keys.gateways, 0, '-1')).sort()).toEqual(['gw-misnamed', 'gw-running']);
});

test('a gateway container restarted in its pod: the sockets of the process before it are disconnected, once', async () => {
  const keys = fresh();
  const now = Date.now();
  const started = now - 2_000;
  await gateway(keys, 'gw-r', now, {
    before: { player: 'alice', rooms: ['ROOMAAAA'], since: now - 60_000 },
    after: { player: 'bob', rooms: ['ROOMBBBB'], since: now - 1_000 },
  });
  await redis.sadd(keys.gatewayConns('gw-r'), 'expired'); // its hash expired long ago
  let view: PodView = { known: true, pods: new Map([['gw-r', { terminal: false, startedAt: started }]]), deleted: new Map() };
  const metrics = controllerMetrics(new Registry());
  const janitor = new GatewayJanitor(redis, keys, () => view, 20_000, log, metrics);

  expect(await janitor.runOnce(now)).toEqual({ dead: [], restarted: ['gw-r'] });
  const sent = parseEntries((await redis.xrange(keys.commands(0), '-', '+')) as [string, string[]][]);
  expect(sent.map((e) => [e.key, (e.data as { origin: { conn: string } }).origin.conn])).toEqual([['ROOMAAAA', 'before']]);
  expect((await redis.smembers(keys.gatewayConns('gw-r'))).sort()).toEqual(['after']);
  expect(await redis.exists(keys.conn('before'))).toBe(0);
  expect(await redis.zscore(keys.gateways, 'gw-r')).not.toBeNull(); // the gateway itself lives on

  // The same start time: nothing more. A later restart: checked again.
  expect((await janitor.runOnce(now)).restarted).toEqual([]);
  view = { ...view, pods: new Map([['gw-r', { terminal: false, startedAt: now }]]) };
  expect((await janitor.runOnce(now)).restarted).toEqual(['gw-r']);
  expect(await redis.xlen(keys.commands(0))).toBe(2);
  expect((await metrics.leftoverConnections.get()).values[0]!.value).toBe(2);
});

test('a gateway that heartbeats while it is being cleaned up stays registered', async () => {
  const keys = fresh();
  const now = Date.now();
  await gateway(keys, 'gw-x', now - 60_000, { x1: { player: 'p', rooms: ['ROOMXXXX'] } });
  const janitor = new GatewayJanitor(redis, keys, () => ({ known: false }), 20_000, log, controllerMetrics(new Registry()));
  const judged = String(now - 60_000);
  await redis.zadd(keys.gateways, now, 'gw-x'); // it was only slow
  await janitor.cleanup('gw-x', judged);
  expect(await redis.zscore(keys.gateways, 'gw-x')).toBe(String(now));
  expect(await redis.exists(keys.gatewayConns('gw-x'))).toBe(1);
});

test('stream housekeeping: pending, lag, stuck entries, trimming of acknowledged entries, idle consumers, orphan streams', async () => {
  const keys = fresh();
  const metrics = controllerMetrics(new Registry());
  const hk = new StreamHousekeeper(redis, keys, { stuckPendingMs: 50, retainMs: 0, consumerIdleMs: 100, orphanStreamMs: 60_000 }, log, metrics);
  await redis.xgroup('CREATE', keys.commands(0), ENGINE_GROUP, '0', 'MKSTREAM');
  const ids: string[] = [];
  for (let i = 0; i < 10; i++) ids.push((await redis.xadd(keys.commands(0), '*', ...aCommand))!);
  // Engine e1 read 6 entries and acknowledged all but the 4th; 4 entries are not delivered yet.
  await redis.xreadgroup('GROUP', ENGINE_GROUP, 'e1', 'COUNT', 6, 'STREAMS', keys.commands(0), '>');
  await redis.xack(keys.commands(0), ENGINE_GROUP, ...ids.slice(0, 6).filter((_, i) => i !== 3));
  // A consumer of an engine that died long ago, with nothing pending.
  await redis.xgroup('CREATECONSUMER', keys.commands(0), ENGINE_GROUP, 'e-dead');
  // The finalize stream: everything delivered and acknowledged.
  await redis.xgroup('CREATE', keys.finalize(0), FINALIZER_GROUP, '0', 'MKSTREAM');
  const fin = [await redis.xadd(keys.finalize(0), '*', ...aGame), await redis.xadd(keys.finalize(0), '*', ...aGame)] as string[];
  await redis.xreadgroup('GROUP', FINALIZER_GROUP, 'f1', 'STREAMS', keys.finalize(0), '>');
  await redis.xack(keys.finalize(0), FINALIZER_GROUP, ...fin);
  await redis.xadd(keys.finalizeDead(0), '*', ...aDeadLetter);
  // Gateway streams: one orphan (quiet for 10 min, not registered), one recent, one registered.
  const old = Date.now() - 10 * 60_000;
  await redis.xadd(keys.gatewayEvents('ghost', 0), `${old}-0`, ...anEvent);
  await redis.xadd(keys.gatewayEvents('recent', 0), '*', ...anEvent);
  await redis.zadd(keys.gateways, Date.now(), 'live');
  await redis.xadd(keys.gatewayEvents('live', 0), `${old}-0`, ...anEvent);
  // The pending entry and the dead consumer must have been idle past the thresholds: that is the point.
  await waitFor(async () => {
    const stuck = (await redis.xpending(keys.commands(0), ENGINE_GROUP, 'IDLE', 60, '-', '+', 10)) as unknown[];
    const dead = ((await redis.xinfo('CONSUMERS', keys.commands(0), ENGINE_GROUP)) as unknown[][]).find((c) => c[1] === 'e-dead');
    return stuck.length === 1 && Number(dead?.[5]) >= 110;
  }, 5_000, 'entries never became idle');

  const out = await hk.runOnce();
  expect(out.stuck).toEqual({ [`commands/${ENGINE_GROUP}`]: 1, [`finalize/${FINALIZER_GROUP}`]: 0 });
  // Everything before the oldest pending entry (the 4th) goes; it and the rest stay.
  expect(out.trimmed).toEqual({ commands: 3, finalize: 1 });
  expect((await redis.xrange(keys.commands(0), '-', '+')).map(([id]) => id)).toEqual(ids.slice(3));
  expect(await redis.xlen(keys.finalize(0))).toBe(1);
  expect(await redis.xlen(keys.finalizeDead(0))).toBe(1);
  const consumers = ((await redis.xinfo('CONSUMERS', keys.commands(0), ENGINE_GROUP)) as unknown[][]).map((c) => c[1]);
  expect(consumers).toEqual(['e1']); // e1 holds a pending entry: kept however idle
  expect(out.orphans).toEqual(['ghost']);
  expect(await redis.exists(keys.gatewayEvents('ghost', 0), keys.gatewayEvents('recent', 0), keys.gatewayEvents('live', 0))).toBe(2);

  const gauge = async (g: { get(): Promise<{ values: { labels: Record<string, unknown>; value: number }[] }> }, labels: Record<string, string>) =>
    (await g.get()).values.find((v) => Object.entries(labels).every(([k, x]) => v.labels[k] === x))?.value;
  expect(await gauge(metrics.streamPending, { stream: 'commands', group: ENGINE_GROUP })).toBe(1);
  expect(await gauge(metrics.streamLag, { stream: 'commands', group: ENGINE_GROUP })).toBe(4);
  expect(await gauge(metrics.streamStuck, { stream: 'commands', group: ENGINE_GROUP })).toBe(1);
  expect(await gauge(metrics.streamLength, { stream: 'finalize_dead' })).toBe(1);
  expect(await gauge(metrics.streamLength, { stream: 'commands' })).toBe(10);
});

/** A room code on each shard of `keys`. */
function roomPerShard(keys: ReturnType<typeof makeKeys>): string[] {
  const rooms: string[] = [];
  for (const a of ROOM_CODE_ALPHABET) for (const b of ROOM_CODE_ALPHABET) rooms[keys.shardOf(`ROOMAA${a}${b}`)] ??= `ROOMAA${a}${b}`;
  expect(rooms.filter(Boolean)).toHaveLength(keys.shards);
  return rooms;
}

test('room shards: a dead gateway\'s disconnects go to each room\'s shard; it leaves the registry and every copy, and its stream in every shard goes', async () => {
  const keys = makeKeys(`g${randomBytes(3).toString('hex')}`, 4);
  const now = Date.now();
  const rooms = roomPerShard(keys);
  await gateway(keys, 'gw-dead', now - 60_000, { c1: { player: 'alice', rooms: [rooms[0]!, rooms[2]!] }, c2: { player: 'bob', rooms: [rooms[3]!] } });
  await gateway(keys, 'gw-live', now, { c9: { player: 'dave', rooms: [rooms[1]!] } });
  const janitor = new GatewayJanitor(redis, keys, () => ({ known: false }), 20_000, log, controllerMetrics(new Registry()));

  expect((await janitor.runOnce(now)).dead).toEqual(['gw-dead']);
  const sent = await Promise.all(keys.allShards.map(async (s) => parseEntries((await redis.xrange(keys.commands(s), '-', '+')) as [string, string[]][]).map((e) => e.key)));
  expect(sent).toEqual([[rooms[0]], [], [rooms[2]], [rooms[3]]]);
  for (const set of [keys.gateways, ...keys.allShards.map((s) => keys.shardGateways(s))]) expect(await redis.zrange(set, 0, '-1')).toEqual(['gw-live']);
  expect(await redis.exists(...keys.allShards.map((s) => keys.gatewayEvents('gw-dead', s)))).toBe(0);
  expect(await redis.exists(...keys.allShards.map((s) => keys.gatewayEvents('gw-live', s)))).toBe(4);
});

test('room shards: every shard\'s streams are kept, the gauges sum them, orphan streams go in every shard', async () => {
  const prefix = `g${randomBytes(3).toString('hex')}`;
  const keys = makeKeys(prefix, 4);
  const metrics = controllerMetrics(new Registry());
  const hk = new StreamHousekeeper(redis, keys, { stuckPendingMs: 50, retainMs: 0, consumerIdleMs: 60_000, orphanStreamMs: 60_000 }, log, metrics);
  // Shards 1 and 3: 4 commands each, 3 read, 2 acknowledged (the 2nd pending), 1 not delivered.
  for (const s of [1, 3]) {
    await redis.xgroup('CREATE', keys.commands(s), ENGINE_GROUP, '0', 'MKSTREAM');
    const ids: string[] = [];
    for (let i = 0; i < 4; i++) ids.push((await redis.xadd(keys.commands(s), '*', ...aCommand))!);
    await redis.xreadgroup('GROUP', ENGINE_GROUP, 'e1', 'COUNT', 3, 'STREAMS', keys.commands(s), '>');
    await redis.xack(keys.commands(s), ENGINE_GROUP, ids[0]!, ids[2]!);
  }
  await redis.xadd(keys.finalizeDead(2), '*', ...aDeadLetter);
  // Gateway streams: a gone gateway's in shards 0 and 2, a registered one's in shard 1, and one of
  // another shard count (not this deployment's to judge).
  const old = Date.now() - 10 * 60_000;
  for (const s of [0, 2]) await redis.xadd(keys.gatewayEvents('ghost', s), `${old}-0`, ...anEvent);
  await redis.zadd(keys.gateways, Date.now(), 'live');
  await redis.zadd(keys.shardGateways(1), Date.now(), 'live');
  await redis.xadd(keys.gatewayEvents('live', 1), `${old}-0`, ...anEvent);
  const other = makeKeys(prefix, 2);
  const foreign = other.allShards.map((s) => other.gatewayEvents('ghost', s)).filter((k) => !keys.allShards.some((s) => k === keys.gatewayEvents('ghost', s)));
  for (const k of foreign) await redis.xadd(k, `${old}-0`, ...anEvent);
  await waitFor(async () => ((await redis.xpending(keys.commands(3), ENGINE_GROUP, 'IDLE', 60, '-', '+', 10)) as unknown[]).length === 1, 5_000, 'entries never became idle');

  const out = await hk.runOnce();
  expect(out.stuck).toEqual({ [`commands/${ENGINE_GROUP}`]: 2 });
  expect(out.trimmed).toEqual({ commands: 2 }); // each shard's first entry: the second is pending
  for (const s of [1, 3]) expect(await redis.xlen(keys.commands(s))).toBe(3);
  expect(out.orphans).toEqual(['ghost']);
  expect(await redis.exists(keys.gatewayEvents('ghost', 0), keys.gatewayEvents('ghost', 2), keys.gatewayEvents('live', 1))).toBe(1);
  if (foreign.length) expect(await redis.exists(...foreign)).toBe(foreign.length);
  expect((await metrics.orphanStreams.get()).values[0]!.value).toBe(2);

  const gauge = async (g: { get(): Promise<{ values: { labels: Record<string, unknown>; value: number }[] }> }, labels: Record<string, string>) =>
    (await g.get()).values.find((v) => Object.entries(labels).every(([k, x]) => v.labels[k] === x))?.value;
  expect(await gauge(metrics.streamPending, { stream: 'commands', group: ENGINE_GROUP })).toBe(2);
  expect(await gauge(metrics.streamLag, { stream: 'commands', group: ENGINE_GROUP })).toBe(2);
  expect(await gauge(metrics.streamStuck, { stream: 'commands', group: ENGINE_GROUP })).toBe(2);
  expect(await gauge(metrics.streamLength, { stream: 'commands' })).toBe(8); // measured before the trim, as with one shard
  expect(await gauge(metrics.streamLength, { stream: 'finalize' })).toBe(0);
  expect(await gauge(metrics.streamLength, { stream: 'finalize_dead' })).toBe(1);
});
