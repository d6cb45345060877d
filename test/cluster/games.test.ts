// Gambit on a real Redis Cluster (issue 16, REDIS_MODE=cluster; docs/redis-cluster.md): six
// redis-server (three primaries with a replica each), ROOM_SHARDS 4, two gateways, two engines, a
// finalizer. Whole games spread over the shards and primaries, each stored once; a resume on the
// other gateway; a flag falling with nobody sending; quick pairing through the matchmaking outbox
// and a rematch (the `playing` marks outside the room's slot); an engine killed mid-game; and the
// primary holding a game's room killed mid-game: its replica is promoted and the game goes on.
// The engines commit as COMMIT_DURABILITY=replicated (WAIT 1 after each commit, in its pipeline):
// a move is confirmed once a replica has it, so the promoted replica has every move played; and the
// gateways read their event streams from the replicas (REDIS_EVENTS_FROM_REPLICAS): a player is shown
// only what a failover keeps.
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import calculateSlot from 'cluster-key-slot';
import { Redis, connectRedis, createLogger, keys as makeKeys, primaries, ENGINE_GROUP, FINALIZER_GROUP, type Cluster, type Keys } from '@gambit/common';
import { Engine, RoomStore } from '@gambit/rooms';
import type { EngineCommand, Origin } from '@gambit/protocol';
import { startClusterStack, type ClusterStack } from '../support/stack.js';
import { TestPlayer, play, startGame, storedGame } from '../support/player.js';
import { waitFor } from '../support/redis.js';

const SHARDS = 4;
let stack: ClusterStack;
let second: string;
let redis: Cluster;
let k: Keys;
const players: TestPlayer[] = [];

beforeAll(async () => {
  // cluster-node-timeout 1500 ms: a killed primary is failed over in 2-4 s (Redis's default, 15 s,
  // would make the kill test a minute long); see test/support/redis-cluster.ts.
  stack = await startClusterStack({
    engines: 2, roomShards: SHARDS, durability: 'replicated', clusterOptions: { nodeTimeoutMs: 1500, clientsSeeReplicas: true }, gateway: { REDIS_EVENTS_FROM_REPLICAS: 'true' },
  });
  second = await stack.addGateway();
  redis = connectRedis(stack.redisUrl, 'test', 'cluster') as Cluster;
  redis.on('error', () => undefined); // a killed node's connection errors until its slots move
  k = makeKeys(stack.keyPrefix, SHARDS, 'cluster');
}, 120_000);

afterAll(async () => {
  for (const p of players) p.close();
  redis?.disconnect();
  await stack?.stop();
});

async function connect(name: string, url = stack.httpUrl): Promise<TestPlayer> {
  const p = await TestPlayer.connect(url, name);
  players.push(p);
  return p;
}

async function stored(room: string): Promise<Record<string, unknown>> {
  const s = await redis.hget(k.room(room), 's');
  return storedGame(stack.httpUrl, (JSON.parse(s!) as { gameId: string }).gameId);
}

describe('Gambit on a Redis Cluster (three primaries, four room shards)', () => {
  test('twelve games over two gateways and two engines: spread over the shards and primaries, each stored once', async () => {
    const rooms: string[] = [];
    await Promise.all(Array.from({ length: 12 }, async (_, i) => {
      const w = await connect(`w${i}`);
      const b = await connect(`b${i}`, second);
      const room = await startGame(w, b);
      rooms.push(room);
      await play(room, w, b, ['f2f3', 'e7e5', 'g2g4', 'd8h4']);
      await Promise.all([w.next('ended'), b.next('ended')]);
    }));
    const holders = new Set<number>();
    for (const room of rooms) {
      expect(k.room(room)).toMatch(/\{r\d+\.\d+\}:room:/);
      expect(calculateSlot(k.room(room))).toBe(calculateSlot(k.commands(k.shardOf(room))));
      holders.add((await stack.cluster.primaryForSlot(calculateSlot(k.room(room)))).port);
      expect(await stored(room)).toMatchObject({ room, result: '0-1', reason: 'checkmate' });
    }
    // 12 random codes on fewer than two of three primaries: about 3 x (1/2)^12 with four shards.
    expect(holders.size).toBeGreaterThan(1);
    for (const s of k.allShards) {
      for (const [stream, group] of [[k.commands(s), ENGINE_GROUP], [k.finalize(s), FINALIZER_GROUP]] as const) {
        await waitFor(async () => ((await redis.xpending(stream, group)) as [number])[0] === 0, 10_000, `${stream}: entries left pending`);
      }
    }
    // Each commit was followed by WAIT on its primary (the replicated commit runs in a Cluster pipeline).
    const waits = await Promise.all(primaries(redis).map(async (n) => Number(/cmdstat_wait:calls=(\d+)/.exec(await n.info('commandstats'))?.[1] ?? 0)));
    expect(waits.reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(12 * 6);
    // The gateways' blocking event reads are on the replicas, none on a primary.
    const readers = async (ports: number[]) => (await Promise.all(ports.map(async (port) => {
      const node = new Redis({ host: '127.0.0.1', port });
      try {
        return String(await node.call('CLIENT', 'LIST')).split('\n').filter((l) => /name=gateway:\S+:events/.test(l) && / cmd=xread /.test(l)).length;
      } finally {
        node.disconnect();
      }
    }))).reduce((a, b) => a + b, 0);
    const topo = await stack.cluster.topology();
    expect(await readers(topo.filter((n) => n.role === 'replica').map((n) => n.port))).toBeGreaterThanOrEqual(2 * SHARDS);
    expect(await readers(topo.filter((n) => n.role === 'primary').map((n) => n.port))).toBe(0);
    // Every game that ended let go of its players' marks.
    for (const p of players) expect(await redis.get(k.playing(p.playerId))).toBeNull();
  });

  test('a player resumes on the other gateway and the game goes on; chat reaches both', async () => {
    const w = await connect('wanda');
    const b = await connect('boris', second);
    const room = await startGame(w, b);
    await play(room, w, b, ['e2e4', 'e7e5']);
    const lastSeen = b.inbox.find((m) => m.t === 'moved' && m.ply === 2)!.seq as number;
    b.ws.terminate();
    await w.next('presence', (m) => m.connected === false);
    w.send({ t: 'move', room, uci: 'g1f3', ply: 2 });
    await w.next('moved', (m) => m.ply === 3);
    const back = await TestPlayer.connect(stack.httpUrl, 'boris', { token: b.token, resume: { room, seq: lastSeen } });
    players.push(back);
    expect(await back.next('moved')).toMatchObject({ ply: 3, san: 'Nf3' });
    await play(room, w, back, ['b8c6'], 3);
    w.send({ t: 'say', room, text: 'good luck' });
    expect(await back.next('said')).toMatchObject({ text: 'good luck' });
    expect(await redis.get(k.playing(w.playerId))).toBe(room);
  });

  test('a flag falls with nobody sending, in whichever shard the room is', async () => {
    const w = await connect('fast');
    const b = await connect('slow', second);
    const room = await startGame(w, b, { initialMs: 1_000, incrementMs: 0 });
    await play(room, w, b, ['e2e4', 'e7e5']);
    const [ew, eb] = await Promise.all([w.next('ended', () => true, 10_000), b.next('ended', () => true, 10_000)]);
    expect(ew).toMatchObject({ room, reason: 'timeout' });
    expect(eb.seq).toBe(ew.seq);
    expect(await stored(room)).toMatchObject({ room, reason: 'timeout' });
  });

  test('quick pairing through the matchmaking outbox, a game to mate, and a rematch', async () => {
    const a = await connect('pia');
    const c = await connect('pim', second);
    a.send({ t: 'pool', pool: '3+0' });
    c.send({ t: 'pool', pool: '3+0' });
    const [pa, pc] = await Promise.all([a.next('paired', () => true, 10_000), c.next('paired', () => true, 10_000)]);
    const room = String(pa.room);
    expect(pc.room).toBe(room);
    const [sa] = await Promise.all([a.next('started'), c.next('started')]);
    // The pair went through the outbox, in the matchmaking slot, and was acknowledged there.
    expect(await redis.xlen(k.pairs!)).toBeGreaterThan(0);
    await waitFor(async () => ((await redis.xpending(k.pairs!, ENGINE_GROUP)) as [number])[0] === 0, 10_000, 'the outbox entry was left pending');
    expect(await redis.get(k.playing(a.playerId))).toBe(room);
    const [white, black] = (sa as { white: { playerId: string } }).white.playerId === a.playerId ? [a, c] : [c, a];
    await play(room, white, black, ['f2f3', 'e7e5', 'g2g4', 'd8h4']);
    await Promise.all([a.next('ended'), c.next('ended')]);
    await waitFor(async () => (await redis.get(k.playing(a.playerId))) === null, 5_000, 'the mark outlived the game');
    // The rematch checks that neither plays elsewhere (outside the commit on a Cluster), then marks both.
    a.send({ t: 'rematch', room });
    await c.next('rematch_offered');
    c.send({ t: 'rematch', room, action: 'accept' });
    await Promise.all([a.next('started', () => true, 10_000), c.next('started', () => true, 10_000)]);
    expect(await redis.get(k.playing(c.playerId))).toBe(room);
  });

  test('a pair from the outbox done twice (an engine stopped after the commit, before the marks): one game, its marks written again', async () => {
    const store = new RoomStore(redis, k, { roomTtlMs: 3_600_000, logCap: 100, gatewayStreamRetainMs: 120_000, finalizeMaxLen: 100 });
    const engine = new Engine(store, { graceMs: 5_000 }, createLogger('test', 'silent'));
    const origin = (playerId: string): Origin => ({ gw: 'nobody', conn: `c-${playerId}`, playerId, name: playerId, at: Date.now(), cid: 'pair.redo' });
    const cmd: EngineCommand = { t: 'pair', origin: origin('redo-a'), opponent: origin('redo-b'), tc: { initialMs: 60_000, incrementMs: 0 }, rated: false, pool: '1+0' };
    const ack = { stream: k.pairs!, group: ENGINE_GROUP };
    const games = async () => (await Promise.all(k.allShards.map((s) => redis.zcard(k.liveGames(s))))).reduce((a, b) => a + b, 0);
    const before = await games();
    // The transport acknowledges an outbox entry (the commit cannot: another slot).
    expect(await engine.handle(cmd, '1-1', ack)).toBe(false);
    const room = await redis.get(k.playing('redo-a'));
    expect(room).toMatch(/^[A-Z0-9]{8}$/);
    expect(await redis.get(k.playing('redo-b'))).toBe(room);
    await redis.del(k.playing('redo-a'), k.playing('redo-b')); // as if the engine had stopped before writing them
    expect(await engine.handle(cmd, '1-1', ack)).toBe(false);
    expect(await games()).toBe(before + 1);
    expect([await redis.get(k.playing('redo-a')), await redis.get(k.playing('redo-b'))]).toEqual([room, room]);
  });

  test('an engine killed mid-game: the other takes its commands over and the game goes on', async () => {
    const w = await connect('kw');
    const b = await connect('kb', second);
    const room = await startGame(w, b);
    await play(room, w, b, ['e2e4', 'e7e5']);
    stack.engines[0]!.crash();
    await play(room, w, b, ['g1f3', 'b8c6', 'f1c4', 'g8f6'], 2, 15_000);
    expect(await redis.hget(k.room(room), 'v')).not.toBeNull();
    stack.engines.shift();
    await stack.addEngine();
  });

  test('the primary holding a game is killed mid-game: its replica is promoted and the game goes on', async () => {
    const w = await connect('pw');
    const b = await connect('pb', second);
    const room = await startGame(w, b);
    await play(room, w, b, ['e2e4', 'e7e5']);
    const primary = await stack.cluster.primaryForSlot(calculateSlot(k.room(room)));
    await stack.cluster.kill(primary.port);
    const promoted = await stack.cluster.waitForPromotion(primary.port, 30_000);
    expect(promoted.port).not.toBe(primary.port);
    // The moves confirmed before the kill were on the replica (WAIT 1): the game continues from
    // them. A move sent while no primary held the slot is answered once one does.
    await play(room, w, b, ['g1f3', 'b8c6'], 2, 20_000);
    await play(room, w, b, ['f1c4', 'g8f6', 'd2d3', 'f8c5'], 4);
    expect(await redis.hget(k.room(room), 'v')).not.toBeNull();
  });
});
