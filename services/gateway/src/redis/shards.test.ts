// Where the gateway's Redis writes and reads go with room shards (docs/redis-cluster.md): a fake
// Redis records every command, so the key names can be checked without a server. With one shard the
// names must be those of earlier releases; with four, each room's keys are in its shard.
import { describe, expect, test } from '@jest/globals';
import type { RedisClient } from '@gambit/common';
import { keys as makeKeys, type Keys } from '@gambit/common';
import { encodeLiveGame, type EngineCommand, type ServerMsg } from '@gambit/protocol';
import { commandPublisher } from './commands.js';
import { ConnectionRegistry } from './registry.js';
import { Players } from './players.js';
import { ChatStore } from './chat-store.js';
import { LiveGames } from './live-games.js';

type Call = [string, ...unknown[]];

/** Records each command (MULTI and pipeline ones too); `answers` gives a command's reply. */
function fakeRedis(answers: Record<string, (...args: unknown[]) => unknown> = {}) {
  const calls: Call[] = [];
  const run = (name: string, args: unknown[]) => {
    calls.push([name, ...args]);
    return answers[name]?.(...args) ?? null;
  };
  const batch = () => {
    const replies: unknown[] = [];
    const chain: Record<string, unknown> = new Proxy({}, {
      get: (_, name) => name === 'exec'
        ? async () => replies.map((r) => [null, r])
        : (...args: unknown[]) => { replies.push(run(String(name), args)); return chain; },
    });
    return chain;
  };
  const redis = new Proxy({}, {
    get: (_, name) => {
      if (name === 'multi' || name === 'pipeline') return batch;
      if (name === 'defineCommand') return () => undefined;
      if (name === 'on' || name === 'off') return () => undefined;
      return async (...args: unknown[]) => run(String(name), args);
    },
  });
  return { redis: redis as unknown as RedisClient, calls };
}

/** A room code of each shard (codes are arbitrary text to the key layout). */
function roomsByShard(k: Keys): string[] {
  const rooms: string[] = [];
  for (let i = 0; rooms.filter(Boolean).length < k.shards; i++) {
    const room = `R${i}`;
    rooms[k.shardOf(room)] ??= room;
  }
  return rooms;
}

const origin = (conn: string) => ({ gw: 'gw1', conn, playerId: 'p1', name: 'alice' });

describe('gateway keys with room shards', () => {
  test('one shard: every name is the unsharded one', async () => {
    const k = makeKeys('t', 1);
    const { redis, calls } = fakeRedis();
    await commandPublisher(redis, k)({ t: 'move', origin: origin('c1'), room: 'ABCD', uci: 'e2e4', ply: 1 });
    await commandPublisher(redis, k)({ t: 'create', origin: origin('c1'), tc: { initialMs: 60_000, incrementMs: 0 }, color: 'random' });
    expect(calls.map((c) => c[1])).toEqual(['t:stream:commands', 't:stream:commands']);

    const reg = fakeRedis();
    const registry = new ConnectionRegistry(reg.redis, k, 'gw1');
    registry.startHeartbeat(() => 3, 60_000);
    await registry.retire();
    expect(reg.calls.map((c) => c.slice(0, 2))).toEqual([['zadd', 't:gateways'], ['set', 't:gw:gw1:connections'], ['zrem', 't:gateways'], ['del', 't:gw:gw1:conns']]);
    expect(reg.calls[3]).toEqual(['del', 't:gw:gw1:conns', 't:stream:gw:gw1', 't:gw:gw1:connections']);
  });

  test('commands go to their room\'s shard; one without a room to its connection\'s', async () => {
    const k = makeKeys('t', 4);
    const rooms = roomsByShard(k);
    const { redis, calls } = fakeRedis();
    const forward = commandPublisher(redis, k);
    for (const room of rooms) await forward({ t: 'resign', origin: origin('c1'), room });
    const create: EngineCommand = { t: 'create', origin: origin('c9'), tc: { initialMs: 60_000, incrementMs: 0 }, color: 'random' };
    await forward(create);
    expect(calls.map((c) => c[1])).toEqual([...k.allShards.map((s) => k.commands(s)), k.commands(k.shardOf('c9'))]);
    expect(new Set(calls.map((c) => c[1])).size).toBe(4);
  });

  test('the heartbeat writes one score to `gateways` and every shard\'s copy; retiring removes them and every event stream', async () => {
    const k = makeKeys('t', 4);
    const { redis, calls } = fakeRedis();
    const registry = new ConnectionRegistry(redis, k, 'gw1');
    registry.startHeartbeat(() => 3, 60_000);
    const zadds = calls.filter((c) => c[0] === 'zadd');
    expect(zadds.map((c) => c[1])).toEqual([k.gateways, ...k.allShards.map((s) => k.shardGateways(s))]);
    expect(new Set(zadds.map((c) => c[2])).size).toBe(1);
    await registry.retire();
    expect(calls.filter((c) => c[0] === 'zrem').map((c) => c[1])).toEqual([k.gateways, ...k.allShards.map((s) => k.shardGateways(s))]);
    const del = calls.find((c) => c[0] === 'del')!;
    for (const s of k.allShards) expect(del).toContain(k.gatewayEvents('gw1', s));
  });

  test('a message to a player goes on shard 0 of its gateway, or on its room\'s shard', async () => {
    const k = makeKeys('t', 4);
    const room = roomsByShard(k)[3]!;
    const { redis, calls } = fakeRedis();
    const players = new Players(redis, k);
    const gone: ServerMsg = { t: 'challenge_gone', challenge: 'ch1', reason: 'canceled' };
    await players.tell([{ conn: 'c1', gw: 'gwA', name: 'a' }, { conn: 'c2', gw: 'gwB', name: 'b' }], gone);
    await players.tell([{ conn: 'c1', gw: 'gwA', name: 'a' }], gone, room);
    expect(calls.map((c) => c[1])).toEqual([k.gatewayEvents('gwA', 0), k.gatewayEvents('gwB', 0), k.gatewayEvents('gwA', 3)]);
  });

  test('chat scripts get the room\'s shard: its live-gateway copy and its stream prefix', async () => {
    const k = makeKeys('t', 4);
    const room = roomsByShard(k)[2]!;
    const { redis, calls } = fakeRedis({ gambitChatSay: () => 1, gambitChatMode: () => 1 });
    const chat = new ChatStore(redis, k);
    await chat.say(room, 'players', { playerId: 'p1', name: 'alice' }, 'hi');
    await chat.mode(room, false, 'c1');
    const [say, mode] = calls;
    expect(say!.slice(1, 5)).toEqual([k.room(room), k.chatLines(room, 'players'), k.roomGateways(room), k.shardGateways(2)]);
    expect(say).toContain(k.gatewayEvents('', 2));
    expect(mode!.slice(1, 4)).toEqual([k.room(room), k.roomGateways(room), k.shardGateways(2)]);
    expect(mode).toContain(k.gatewayEvents('', 2));
    for (const key of [...say!, ...mode!]) if (typeof key === 'string' && key.startsWith('t:')) expect(key).toContain(k.room(room).slice(0, k.room(room).indexOf('}') + 1));
  });

  test('/api/live merges every shard\'s games in play, newest first', async () => {
    const k = makeKeys('t', 4);
    const rooms = roomsByShard(k);
    const started = new Map(rooms.map((room, s) => [room, 1_000 + s * 10]));
    const player = (id: string) => ({ playerId: id, name: id });
    const { redis, calls } = fakeRedis({
      zrevrange: (key) => {
        const s = k.allShards.find((x) => k.liveGames(x) === key)!;
        return [rooms[s]!, String(started.get(rooms[s]!))];
      },
      hmget: (key, ...asked) => asked.map((room) => {
        expect(key).toBe(k.liveSummaries(k.shardOf(room as string)));
        return encodeLiveGame({ room: room as string, white: player('w'), black: player('b'), tc: { initialMs: 60_000, incrementMs: 0 }, rated: false, startedAt: started.get(room as string)! });
      }),
    });
    const games = await new LiveGames(redis, k).list(5_000);
    expect(games.map((g) => g.room)).toEqual([...rooms].reverse());
    expect(calls.filter((c) => c[0] === 'zrevrange').map((c) => c[1])).toEqual(k.allShards.map((s) => k.liveGames(s)));
  });
});
