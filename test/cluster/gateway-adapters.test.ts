// The gateway's Redis adapters on a real Redis Cluster (issue 16), through the client the gateway
// makes in cluster mode (auto-pipelining) and the cluster key layout with four room shards. Each
// call below touches keys of several slots spread over several primaries (checked, so a layout
// change cannot make the test pass vacuously): a MULTI, a pipeline or a script across slots would
// fail here with CROSSSLOT, ioredis's one-node pipeline rule or Redis's script slot check.
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import calculateSlot from 'cluster-key-slot';
import { connectRedis, createLogger, keys as makeKeys, type Keys, type RedisClient } from '@gambit/common';
import { decodeGatewayEntry, encodeCrowdShare, encodeLiveGame, encodeRatingCopy, speedOf, type FriendsMsg, type ServerMsg } from '@gambit/protocol';
import { ConnectionRegistry } from '../../services/gateway/src/redis/registry.js';
import { Players } from '../../services/gateway/src/redis/players.js';
import { LiveGames } from '../../services/gateway/src/redis/live-games.js';
import { ChatStore } from '../../services/gateway/src/redis/chat-store.js';
import { EndedSessions } from '../../services/gateway/src/redis/ended-sessions.js';
import { Crowd } from '../../services/gateway/src/ws/crowd.js';
import { Presence } from '../../services/gateway/src/ws/presence.js';
import type { Hub } from '../../services/gateway/src/ws/hub.js';
import { startRedisCluster, type RedisCluster } from '../support/redis-cluster.js';
import { connectCluster, expectSpread as expectSpreadOn, type ClusterClient } from './support.js';
import { waitFor } from '../support/redis.js';

const log = createLogger('test', 'silent');
let cluster: RedisCluster;
let url: string;
let redis: RedisClient;
const k: Keys = makeKeys('gambit', 4, 'cluster');
/** slot -> port of the primary serving it. */
let nodeOfSlot: (slot: number) => number;
let c: ClusterClient;
const registries: ConnectionRegistry[] = [];

beforeAll(async () => {
  cluster = await startRedisCluster();
  c = await connectCluster(cluster);
  ({ url, redis, nodeOfSlot } = c);
}, 90_000);

afterAll(async () => {
  for (const r of registries) await r.retire().catch(() => undefined);
  redis?.disconnect();
  await cluster?.stop();
});

const expectSpread = (keyList: string[]) => expectSpreadOn(c, keyList);

/** A room code of each shard. */
function roomsByShard(prefix: string): string[] {
  const rooms: string[] = [];
  for (let i = 0; rooms.filter(Boolean).length < k.shards; i++) rooms[k.shardOf(`${prefix}${i}`)] ??= `${prefix}${i}`;
  return rooms;
}

/** A gateway with a heartbeat (long interval: one beat at start), retired after the file. */
async function liveGateway(id: string, connections = 0): Promise<ConnectionRegistry> {
  const r = new ConnectionRegistry(redis, k, id);
  registries.push(r);
  r.startHeartbeat(() => connections, 60_000);
  // The beat is fire-and-forget (errors swallowed): its writes are the proof it ran.
  await waitFor(async () => (await Promise.all([k.gateways, ...k.allShards.map((s) => k.shardGateways(s))].map((key) => redis.zscore(key, id)))).every(Boolean)
    && (await redis.get(k.gatewayConnections(id))) === String(connections), 5_000, `gateway ${id}'s heartbeat wrote nothing`);
  return r;
}

async function entries(stream: string): Promise<ReturnType<typeof decodeGatewayEntry>[]> {
  return (await redis.xrange(stream, '-', '+')).map(([, fields]) => decodeGatewayEntry(fields));
}

describe('the gateway adapters on a Redis Cluster', () => {
  test('registry: heartbeat, add, rooms, remove and retire, over keys of many slots', async () => {
    expectSpread([k.gateways, ...k.allShards.map((s) => k.shardGateways(s)), k.gatewayConnections('gw-r')]);
    const reg = await liveGateway('gw-r', 3);
    const beat = await redis.zscore(k.gateways, 'gw-r');
    for (const s of k.allShards) expect(await redis.zscore(k.shardGateways(s), 'gw-r')).toBe(beat);

    const conns = ['r1', 'r2', 'r3', 'r4'];
    expectSpread([...conns.map((c) => k.conn(c)), k.gatewayConns('gw-r'), k.playerConns('u_reg')]);
    for (const c of conns) await reg.add(c, 'u_reg', 'reggie');
    await reg.rooms('r1', ['ROOM1', 'ROOM2']);
    expect(await redis.hgetall(k.conn('r1'))).toMatchObject({ gw: 'gw-r', playerId: 'u_reg', name: 'reggie', rooms: 'ROOM1,ROOM2' });
    expect(await redis.pttl(k.conn('r1'))).toBeGreaterThan(0);
    expect(await redis.pttl(k.playerConns('u_reg'))).toBeGreaterThan(0);
    expect((await redis.smembers(k.gatewayConns('gw-r'))).sort()).toEqual(conns);
    expect((await redis.smembers(k.playerConns('u_reg'))).sort()).toEqual(conns);

    await reg.remove('r1', 'u_reg');
    await reg.remove('r2', 'u_reg', false);
    expect(await redis.exists(k.conn('r1'))).toBe(0);
    expect((await redis.smembers(k.gatewayConns('gw-r'))).sort()).toEqual(['r3', 'r4']);
    expect((await redis.smembers(k.playerConns('u_reg'))).sort()).toEqual(['r3', 'r4']);
    expect(Number(await redis.get(k.lastSeen('u_reg')))).toBeGreaterThan(0);

    // Retiring: out of every live set, its conns set, its count and its event stream of each shard gone.
    for (const s of k.allShards) await redis.xadd(k.gatewayEvents('gw-r', s), '*', 'x', '1');
    expectSpread(k.allShards.map((s) => k.gatewayEvents('gw-r', s)));
    await reg.retire();
    for (const key of [k.gateways, ...k.allShards.map((s) => k.shardGateways(s))]) expect(await redis.zscore(key, 'gw-r')).toBeNull();
    for (const key of [k.gatewayConns('gw-r'), k.gatewayConnections('gw-r'), ...k.allShards.map((s) => k.gatewayEvents('gw-r', s))]) expect(await redis.exists(key)).toBe(0);
  });

  test('players: a player\'s sockets on live gateways, and messages to them', async () => {
    const [gwA, gwB] = [await liveGateway('gw-a'), await liveGateway('gw-b')];
    const dead = new ConnectionRegistry(redis, k, 'gw-dead'); // never beat: its sockets do not count
    const conns = ['pa1', 'pa2', 'pa3', 'pb1', 'pd1'];
    expectSpread(conns.map((c) => k.conn(c)));
    for (const c of conns.slice(0, 3)) await gwA.add(c, 'u_alice', 'alice');
    await gwB.add('pb1', 'u_alice', 'alice');
    await dead.add('pd1', 'u_alice', 'alice');
    const players = new Players(redis, k);
    const sockets = await players.sockets('u_alice');
    expect(sockets.map((s) => `${s.conn}@${s.gw}`).sort()).toEqual(['pa1@gw-a', 'pa2@gw-a', 'pa3@gw-a', 'pb1@gw-b']);

    const gone: ServerMsg = { t: 'challenge_gone', challenge: 'ch1', reason: 'canceled' };
    expect(await players.tell(sockets, gone)).toBe(4);
    const onA = await entries(k.gatewayEvents('gw-a', 0));
    expect(onA.map((d) => d?.k === 'conn' && d.conn).sort()).toEqual(['pa1', 'pa2', 'pa3']);
    expect(onA[0]).toMatchObject({ k: 'conn', msg: gone });
    expect(await entries(k.gatewayEvents('gw-b', 0))).toEqual([expect.objectContaining({ k: 'conn', conn: 'pb1' })]);
    // About a room: on that room's shard.
    const room = roomsByShard('T')[3]!;
    await players.tell(sockets.filter((s) => s.gw === 'gw-b'), gone, room);
    expect(await entries(k.gatewayEvents('gw-b', 3))).toEqual([expect.objectContaining({ k: 'conn', conn: 'pb1' })]);
    // tellAll: every socket of each player.
    await gwB.add('pb2', 'u_bob', 'bob');
    await players.tellAll(['u_alice', 'u_bob'], gone);
    expect((await entries(k.gatewayEvents('gw-b', 0))).map((d) => d?.k === 'conn' && d.conn).sort()).toEqual(['pb1', 'pb1', 'pb2']);
  });

  test('live games: every shard\'s games, with ratings and crowds', async () => {
    const now = Date.now();
    const rooms = roomsByShard('L');
    const tc = { initialMs: 180_000, incrementMs: 0 };
    for (const [s, room] of rooms.entries()) {
      const white = { playerId: `u_w${s}`, name: `w${s}` };
      const black = { playerId: `u_b${s}`, name: `b${s}` };
      await redis.zadd(k.liveGames(s), now - 1000 + s, room);
      await redis.hset(k.liveSummaries(s), room, encodeLiveGame({ room, white, black, tc, rated: true, startedAt: now - 1000 + s }));
      await redis.hset(k.ratings(white.playerId), speedOf(tc), encodeRatingCopy({ rating: 1500 + 100 * s, rd: 60 }));
      await redis.hset(k.ratings(black.playerId), speedOf(tc), encodeRatingCopy({ rating: 1510 + 100 * s, rd: 60 }));
      await redis.hset(k.crowd(room), 'gw-x', encodeCrowdShare({ n: s + 1, names: [], at: now }));
    }
    expectSpread([k.ratings('u_w0'), ...rooms.map((r) => k.crowd(r)), ...k.allShards.map((s) => k.liveSummaries(s))]);
    const games = await new LiveGames(redis, k).list(now);
    // Highest rated first.
    expect(games.map((g) => [g.room, g.white.rating, g.black.rating, g.watchers])).toEqual(
      [...rooms.entries()].reverse().map(([s, room]) => [room, 1500 + 100 * s, 1510 + 100 * s, s + 1]));
  });

  test('chat: say and mode reach every live gateway of the room; a script is held to its room\'s slot', async () => {
    await liveGateway('gw-c1');
    await liveGateway('gw-c2');
    const chat = new ChatStore(redis, k);
    for (const [s, room] of roomsByShard('C').entries()) {
      await redis.hset(k.room(room), 'v', '1');
      await redis.pexpire(k.room(room), 60_000);
      await redis.sadd(k.roomGateways(room), 'gw-c1', 'gw-c2', 'gw-gone');
      expect(await chat.say(room, 'players', { playerId: 'u_p', name: 'p' }, 'hello')).toBe(1);
      expect(await chat.say(room, 'spectators', { playerId: 'u_p', name: 'p' }, 'hi')).toBe(1);
      expect(await chat.mode(room, false, 'c0')).toBe(true);
      expect(await chat.say(room, 'spectators', { playerId: 'u_q', name: 'q' }, 'hi')).toBe('chat_closed');
      for (const gw of ['gw-c1', 'gw-c2']) expect(await redis.xlen(k.gatewayEvents(gw, s))).toBe(3);
      expect(await redis.exists(k.gatewayEvents('gw-gone', s))).toBe(0);
      expect((await chat.lines(room, 'players')).lines.map((l) => l.text)).toEqual(['hello']);
    }
    expect(await chat.say('NOSUCH', 'players', { playerId: 'u_p', name: 'p' }, 'hello')).toBe('room_not_found');
    expect(await chat.mode('NOSUCH', true, 'c0')).toBe(false);

    // A slip (streams of another shard that the same primary serves) fails at once: `#!lua`.
    const byNode = new Map<number, number[]>();
    for (const s of k.allShards) {
      const port = nodeOfSlot(calculateSlot(k.gatewayEvents('x', s)));
      byNode.set(port, [...(byNode.get(port) ?? []), s]);
    }
    const [s1, s2] = [...byNode.values()].find((shards) => shards.length > 1)!; // four shards on three primaries
    const room = roomsByShard('C')[s1!]!;
    const slip = new ChatStore(redis, { ...k, gatewayEvents: (gw: string) => k.gatewayEvents(gw, s2!) });
    await expect(slip.say(room, 'players', { playerId: 'u_p', name: 'p' }, 'hello')).rejects.toThrow(/same slot/);
    await expect(slip.mode(room, true, 'c0')).rejects.toThrow(/same slot/);

    await chat.mute('u_p', 'u_q', true);
    expect(await chat.mutes('u_p')).toEqual(['u_q']);
  });

  test('crowd: this pod\'s shares of rooms of every shard written and sent to each room\'s gateways; a newcomer\'s room read', async () => {
    const now = Date.now();
    await liveGateway('gw-w');
    const rooms = roomsByShard('W');
    expectSpread(rooms.map((r) => k.crowd(r)));
    for (const room of rooms) {
      await redis.hset(k.crowd(room), 'gw-other', encodeCrowdShare({ n: 2, names: ['zed'], at: now }));
      await redis.sadd(k.roomGateways(room), 'gw-w');
    }
    const spectator = (name: string) => ({ identity: { playerId: `u_${name}`, name } });
    const spectators = new Map(rooms.map((room, s) => [room, new Set(Array.from({ length: s + 1 }, (_, i) => spectator(`s${i}`)))]));
    const told: [string, string][] = [];
    const hub = {
      crowdChanged: new Set<string>(rooms), joined: new Set<string>(rooms),
      spectatedRooms: () => spectators.keys(), hasAudience: (room: string) => spectators.has(room),
      spectatorsOf: (room: string) => spectators.get(room) ?? new Set(),
      sendToRoom: (room: string, text: string) => { told.push([room, text]); return 1; },
    } as unknown as Hub;
    const crowd = new Crowd(redis, k, 'gw-w', hub, log);
    await crowd.tick(now);
    for (const [s, room] of rooms.entries()) expect(JSON.parse((await redis.hget(k.crowd(room), 'gw-w'))!)).toMatchObject({ n: s + 1 });
    // The sockets that joined heard the totals (read), and each room's shares went to gw-w's stream of its shard.
    const count = (text: string) => (JSON.parse(text) as { count: number }).count;
    expect(new Map(told.map(([room, text]) => [room, count(text)]))).toEqual(new Map(rooms.map((room, s) => [room, s + 3])));
    for (const [s, room] of rooms.entries()) {
      const sent = (await entries(k.gatewayEvents('gw-w', k.shardOf(room)))).filter((d) => d?.k === 'crowd' && d.room === room);
      expect(sent).toHaveLength(1);
      const shares = (sent[0] as { shares: string[] }).shares.map((x) => JSON.parse(x) as { n: number });
      expect(shares.map((x) => x.n).sort()).toEqual([2, s + 1].sort());
    }
  });

  test('presence: a player\'s friends online (both ways, on a live gateway) and their games', async () => {
    const gw = await liveGateway('gw-f');
    const dead = new ConnectionRegistry(redis, k, 'gw-f-dead');
    await redis.sadd(k.friends('u_ann'), 'u_ben', 'u_cat', 'u_dan', 'u_eve');
    for (const f of ['u_ben', 'u_cat', 'u_eve']) await redis.sadd(k.friends(f), 'u_ann'); // u_dan is not a friend back
    for (const [c, p] of [['fb1', 'u_ben'], ['fb2', 'u_ben'], ['fd1', 'u_dan'], ['fe1', 'u_eve']] as const) await gw.add(c, p, p);
    await dead.add('fc1', 'u_cat', 'cat'); // only on a dead gateway: offline
    // u_ben plays in ROOMB (a game in play is in its shard's live set); u_eve's mark names a room
    // with no game in play (an engine stopped between an end and its release): stale, not shown.
    await redis.set(k.playing('u_ben'), 'ROOMB');
    await redis.zadd(k.liveGames(k.shardOf('ROOMB')), Date.now(), 'ROOMB');
    await redis.set(k.playing('u_eve'), 'ROOMSTAL');
    expectSpread([k.friends('u_ann'), ...['u_ben', 'u_cat', 'u_dan', 'u_eve'].map((p) => k.playerConns(p)), ...['fb1', 'fb2', 'fc1', 'fd1', 'fe1'].map((c) => k.conn(c))]);
    const presence = new Presence(redis, k, log);
    const sent: FriendsMsg[] = [];
    await presence.follow({ send: (m) => sent.push(m) }, 'u_ann', 'q1');
    expect(sent).toEqual([{ t: 'friends', id: 'q1', online: [{ playerId: 'u_ben', playing: 'ROOMB' }, { playerId: 'u_eve' }] }]);
    expect(await redis.get(k.playing('u_eve'))).toBeNull(); // dropped by the reader
    expect(await redis.get(k.playing('u_ben'))).toBe('ROOMB');
  });

  test('ended sessions: a publish reaches the subscriber, whichever node each is on', async () => {
    const ended = new EndedSessions(connectRedis(url, 'test:sessions', 'cluster'), k.sessionsEnded, log);
    const got: string[] = [];
    await ended.start((h) => got.push(h));
    try {
      await redis.publish(k.sessionsEnded, 'handle-1');
      await waitFor(() => got.length > 0, 5_000, 'the ended session was not heard');
      expect(got).toEqual(['handle-1']);
    } finally {
      ended.stop();
    }
  });
});
