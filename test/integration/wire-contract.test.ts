// The contract between commit.lua (the one writer of stream entries not in TypeScript) and the
// TypeScript decoders of @gambit/protocol (wire/): a real redis-server runs the engine's commits
// over a whole game, and every entry written on the gateways' event streams and the finalize
// stream decodes to exactly what was committed (answers, room events as their very text, a
// resume's replay and its fallback, the finished game's record).
import { afterAll, beforeAll, expect, test } from '@jest/globals';
import { Redis } from 'ioredis';
import { GATEWAY_STREAM_RETAIN_MS, createLogger, keys as makeKeys } from '@gambit/common';
import { decodeFinalize, decodeGatewayEntry, type EngineCommand, type GatewayDelivery, type GameRecord, type Origin, type RoomEvent } from '@gambit/protocol';
import { Engine, RoomStore, serializeEvent, stateMsg, type Decision, type Loaded } from '@gambit/rooms';
import { startRedis, type RedisHandle } from '../support/redis.js';

let server: RedisHandle;
let redis: Redis;
const keys = makeKeys('wire');
beforeAll(async () => {
  server = await startRedis();
  redis = new Redis(server.url);
});
afterAll(async () => { redis?.disconnect(); await server?.stop(); });

type Commit = Extract<Decision, { kind: 'commit' }>;
/** What the engine asked Redis to write, in order: commits that applied, and direct answers. */
type Written = { kind: 'commit'; code: string; loaded: Loaded; d: Commit } | { kind: 'send'; gw: string; d: GatewayDelivery };

function recordingStore(written: Written[]): RoomStore {
  const store = new RoomStore(redis, keys, { roomTtlMs: 60_000, logCap: 256, gatewayStreamRetainMs: 120_000, finalizeMaxLen: 10_000 });
  const commit = store.commit.bind(store);
  store.commit = async (code, loaded, d, ...rest) => {
    const res = await commit(code, loaded, d, ...rest);
    if (res === 'ok') written.push({ kind: 'commit', code, loaded, d });
    return res;
  };
  const send = store.send.bind(store);
  store.send = async (gw, d) => {
    await send(gw, d);
    written.push({ kind: 'send', gw, d });
  };
  return store;
}

/** Each gateway's stream and the finalize stream as commit.lua and RoomStore.send must have written them. */
function expected(written: Written[]): { gateways: Map<string, GatewayDelivery[]>; finalized: { room: string; record: GameRecord }[] } {
  const gateways = new Map<string, GatewayDelivery[]>();
  const to = (gw: string, d: GatewayDelivery) => gateways.set(gw, [...(gateways.get(gw) ?? []), d]);
  const finalized: { room: string; record: GameRecord }[] = [];
  const audience = new Set<string>(); // the room's gateways (one room in this test)
  const log: RoomEvent[] = [];
  for (const w of written) {
    if (w.kind === 'send') {
      to(w.gw, w.d);
      continue;
    }
    const { code, loaded, d } = w;
    const gw = d.replies[0]?.gw ?? d.replay?.origin.gw;
    if (gw && (d.replies.some((r) => r.sub) || d.replay)) audience.add(gw);
    for (const r of d.replies) to(r.gw, { k: 'conn', conn: r.conn, msg: r.msg, sub: r.sub, unsub: r.unsub });
    if (d.replay) {
      const { origin, after } = d.replay;
      // The room's log reaches back to its first event here: a resume up to the room's seq replays.
      to(origin.gw, after <= loaded.state!.seq
        ? { k: 'replay', conn: origin.conn, room: code, events: log.filter((e) => e.seq > after) }
        : { k: 'conn', conn: origin.conn, msg: stateMsg(loaded.state!), sub: code });
    }
    for (const ev of d.events) {
      for (const g of audience) to(g, { k: 'room', room: code, t: ev.t, ply: ev.t === 'moved' ? ev.ply : undefined, text: serializeEvent(ev) });
    }
    log.push(...d.events);
    if (d.finalize) finalized.push({ room: code, record: d.finalize });
  }
  return { gateways, finalized };
}

test('what commit.lua writes decodes, with the TypeScript decoders, to exactly what was committed', async () => {
  await redis.zadd(keys.gateways, Date.now(), 'gw1', Date.now(), 'gw2', Date.now(), 'gw3');
  const written: Written[] = [];
  const engine = new Engine(recordingStore(written), { graceMs: 10_000 }, createLogger('test', 'silent'));
  let n = 0;
  const run = (cmd: EngineCommand) => engine.handle(cmd, `${++n}-0`);
  const alice: Origin = { gw: 'gw1', conn: 'c1', playerId: 'alice', name: 'alice', id: 'a1' };
  const bob: Origin = { gw: 'gw2', conn: 'c2', playerId: 'bob', name: 'bob' };
  const bobAgain: Origin = { gw: 'gw3', conn: 'c3', playerId: 'bob', name: 'bob' };

  await run({ t: 'create', origin: alice, tc: { initialMs: 60_000, incrementMs: 0 }, color: 'white' });
  const room = (written[0] as { code: string }).code;
  await run({ t: 'join', origin: { ...bob, id: 'j1' }, room });
  await run({ t: 'move', origin: alice, room, uci: 'f2f3', ply: 0 });
  await run({ t: 'move', origin: bob, room, uci: 'e7e4', ply: 1 }); // illegal: an answer through RoomStore.send
  await run({ t: 'move', origin: bob, room, uci: 'e7e5', ply: 1 });
  await run({ t: 'disconnect', origin: bob, room }); // presence, connected: false
  await run({ t: 'resume', origin: bobAgain, room, seq: 2 }); // the replay Lua builds, then presence
  await run({ t: 'resume', origin: alice, room, seq: 99 }); // ahead of the room: the fallback state
  await run({ t: 'move', origin: alice, room, uci: 'g2g4', ply: 2 });
  await run({ t: 'move', origin: bobAgain, room, uci: 'd8h4', ply: 3 }); // mate: ended, and the record

  expect(written.map((w) => w.kind)).toEqual(['commit', 'commit', 'commit', 'send', 'commit', 'commit', 'commit', 'commit', 'commit', 'commit']);
  const want = expected(written);
  expect([...want.gateways.keys()].sort()).toEqual(['gw1', 'gw2', 'gw3']);
  const kinds = new Set<string>();
  for (const [gw, deliveries] of want.gateways) {
    const rows = await redis.xrange(keys.gatewayEvents(gw, 0), '-', '+');
    for (const [, fields] of rows) {
      // Written in the current layout only.
      const names = fields.filter((_, i) => i % 2 === 0);
      // The names this release writes (the previous release's gateways read them during a rollout).
      expect([['d'], ['r', 't', 'e'], ['r', 't', 'p', 'e']]).toContainEqual(names);
    }
    const got = rows.map(([, fields]) => decodeGatewayEntry(fields));
    expect({ gw, got }).toEqual({ gw, got: deliveries });
    got.forEach((d) => kinds.add(d!.k === 'room' ? `room ${d!.t}` : d!.k === 'conn' ? `conn ${d!.msg.t}` : d!.k));
  }
  // The whole contract was exercised: answers (joined, created, an error, the fallback state),
  // the replay, and room events with and without a ply.
  expect([...kinds].sort()).toEqual(['conn created', 'conn error', 'conn joined', 'conn state', 'replay', 'room ended', 'room moved', 'room presence', 'room started']);

  const finalized = await redis.xrange(keys.finalize(0), '-', '+');
  expect(finalized.map(([, fields]) => fields.filter((_, i) => i % 2 === 0))).toEqual([['p', 'k', 'd']]);
  expect(finalized.map(([id, fields]) => decodeFinalize(id, fields))).toEqual(want.finalized.map((f) => ({ id: expect.any(String), ...f })));
  expect(want.finalized).toHaveLength(1);
  expect(want.finalized[0]!.record).toMatchObject({ room, reason: 'checkmate', result: '0-1' });
});

test('a gateway stream keeps GATEWAY_STREAM_RETAIN_MS of entries by Redis\'s clock: a commit drops older ones (whole stream nodes), not the recent', async () => {
  const stream = keys.gatewayEvents('gwT', 0);
  const [sec, usec] = await redis.time();
  const now = Number(sec) * 1000 + Math.floor(Number(usec) / 1000);
  // 150 entries from just past the retention (a stream node holds 100), then 150 from just inside it.
  const old = now - GATEWAY_STREAM_RETAIN_MS - 5_000;
  const kept = now - GATEWAY_STREAM_RETAIN_MS + 30_000;
  for (let i = 1; i <= 150; i++) await redis.xadd(stream, `${old}-${i}`, 'f', 'old');
  for (let i = 1; i <= 150; i++) await redis.xadd(stream, `${kept}-${i}`, 'f', 'kept');
  const engine = new Engine(new RoomStore(redis, keys, { roomTtlMs: 60_000, logCap: 256, gatewayStreamRetainMs: GATEWAY_STREAM_RETAIN_MS, finalizeMaxLen: 10_000 }), { graceMs: 10_000 }, createLogger('test', 'silent'));
  await engine.handle({ t: 'create', origin: { gw: 'gwT', conn: 'cT', playerId: 'pT', name: 'trim' }, tc: { initialMs: 60_000, incrementMs: 0 }, color: 'white' }, '9-0');
  const left = (await redis.xrange(stream, '-', '+')).map(([id]) => id);
  // MINID ~ drops whole nodes older than the bound: the first node (100 old) goes; the next, which
  // also holds entries inside the retention, stays; everything inside it stays.
  expect(left.filter((id) => id.startsWith(`${old}-`))).toHaveLength(50);
  expect(left.filter((id) => id.startsWith(`${kept}-`))).toHaveLength(150);
  expect(decodeGatewayEntry((await redis.xrange(stream, '-', '+')).at(-1)![1])).toMatchObject({ k: 'conn', conn: 'cT' }); // the create's answers
});
