// The engines split the room shards (SHARD_LEASE_MS; packages/streams: owners.ts, leases.ts): each
// shard's commands reach one engine, so a game's moves find the room in that engine's memory and
// never read it back from Redis. An engine stopped, started or killed: the shards pass on and the
// games go on.
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { Redis } from 'ioredis';
import { keys as makeKeys } from '@gambit/common';
import { owners } from '@gambit/streams';
import { startStack, type Stack } from '../support/stack.js';
import { TestPlayer, play, startGame } from '../support/player.js';
import { waitFor } from '../support/redis.js';

const SHARDS = 4;
const LINE = ['e2e4', 'e7e5', 'g1f3', 'b8c6', 'f1c4', 'g8f6', 'd2d3', 'f8c5', 'c2c3', 'd7d6', 'e1g1', 'e8g8'];
let stack: Stack;
let redis: Redis;
const open: TestPlayer[] = [];

beforeAll(async () => {
  stack = await startStack({ engines: 2, roomShards: SHARDS });
  redis = new Redis(stack.redisUrl);
});
afterAll(async () => {
  open.forEach((p) => p.close());
  redis?.disconnect();
  await stack?.stop();
});

/** Rooms the running engines read from Redis (gambit_engine_room_reads_total): each a room not in their memory. */
async function roomReads(): Promise<number> {
  const texts = await Promise.all(running().map(async (e) => (await fetch(`http://127.0.0.1:${e.port}/metrics`)).text()));
  return texts.reduce((sum, t) => sum + Number(/^gambit_engine_room_reads_total(?:\{[^}]*\})? (\d+)/m.exec(t)![1]), 0);
}
const running = () => stack.engines.filter((e) => !gone.has(e.id));
const gone = new Set<string>();
/** Every shard owned by exactly one running engine. */
async function splitBetween(engines = running(), timeoutMs = 5_000): Promise<void> {
  await waitFor(() => {
    const owned = engines.flatMap((e) => e.shards());
    return owned.length === SHARDS && new Set(owned).size === SHARDS;
  }, timeoutMs, () => `shards not split: ${engines.map((e) => `${e.id}: ${e.shards().join(',')}`).join('; ')}`);
}
/** The running engine owning the most shards (it is the one whose loss shows something). */
const busiest = () => running().sort((a, b) => b.shards().length - a.shards().length)[0]!;

interface Game { room: string; w: TestPlayer; b: TestPlayer; ply: number }
const games: Game[] = [];
async function next(g: Game, count: number, timeoutMs = 5_000): Promise<void> {
  await play(g.room, g.w, g.b, LINE.slice(g.ply, g.ply + count), g.ply, timeoutMs);
  g.ply += count;
}

describe('engines splitting the room shards', () => {
  test('each shard is read by one engine, and no move reads its room back from Redis', async () => {
    await splitBetween();
    for (let i = 0; i < 8; i++) {
      const w = await TestPlayer.connect(stack.httpUrl, `w${i}`);
      const b = await TestPlayer.connect(stack.httpUrl, `b${i}`);
      open.push(w, b);
      games.push({ room: await startGame(w, b), w, b, ply: 0 });
    }
    const k = makeKeys(stack.keyPrefix, SHARDS);
    expect(new Set(games.map((g) => k.shardOf(g.room))).size).toBeGreaterThan(1); // 8 codes in one of 4 shards: 4^-7
    const before = await roomReads();
    await Promise.all(games.map((g) => next(g, 6)));
    // 48 moves, each handled by the engine that created the room and holds it.
    expect(await roomReads()).toBe(before);
  });

  test('an engine stopped: the other takes its shards within a renewal, and every game goes on', async () => {
    const victim = busiest();
    await victim.close();
    gone.add(victim.id);
    await splitBetween();
    await Promise.all(games.map((g) => next(g, 2)));
  });

  test('an engine started takes its share, and every game goes on', async () => {
    const added = await stack.addEngine();
    await splitBetween();
    // Each shard with the engine rendezvous hashing names among the two (it may name one for all four).
    const k = makeKeys(stack.keyPrefix, SHARDS);
    const named = owners(k.allShards.map((s) => k.commands(s)), running().map((e) => e.id));
    for (const e of running()) expect(e.shards()).toEqual(k.allShards.filter((s) => named.get(k.commands(s)) === e.id));
    expect(running().map((e) => e.id)).toContain(added.id);
    await Promise.all(games.map((g) => next(g, 2)));
  });

  test('an engine killed: its shards pass on when its lease (1 s here) runs out, and the moves sent meanwhile are applied', async () => {
    const victim = busiest();
    victim.crash();
    gone.add(victim.id);
    // Sent at once: the moves of the victim's rooms wait in their streams until the survivor owns them.
    await Promise.all(games.map((g) => next(g, 2, 15_000)));
    await splitBetween();
    const moves = await Promise.all(games.map(async (g) => (JSON.parse((await redis.hget(makeKeys(stack.keyPrefix, SHARDS).room(g.room), 's'))!) as { moves: string[] }).moves));
    for (const m of moves) expect(m).toEqual(LINE.slice(0, 12));
  });
});
