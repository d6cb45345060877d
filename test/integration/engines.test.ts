// Two engines on one command stream; one is killed mid-game holding a command it had read but
// not acknowledged. The survivor claims it (XAUTOCLAIM) and no move is lost or applied twice.
import { afterAll, beforeAll, expect, test } from '@jest/globals';
import { Redis } from 'ioredis';
import { ENGINE_GROUP, keys as makeKeys } from '@gambit/common';
import { encodeEntry, type EngineCommand } from '@gambit/protocol';
import { startStack, type Stack } from '../support/stack.js';
import { TestPlayer, play, startGame } from '../support/player.js';
import { waitFor } from '../support/redis.js';

let stack: Stack;
let redis: Redis;
const open: TestPlayer[] = [];
beforeAll(async () => {
  stack = await startStack({ engines: 2, claimIdleMs: 300 });
  redis = new Redis(stack.redisUrl);
});
afterAll(async () => { open.forEach((p) => p.close()); redis?.disconnect(); await stack?.stop(); });

test('an engine killed with a command in hand: the other engine applies it, once', async () => {
  const keys = makeKeys(stack.keyPrefix);
  const w = await TestPlayer.connect(stack.httpUrl, 'alice');
  const b = await TestPlayer.connect(stack.httpUrl, 'bob');
  open.push(w, b);
  const room = await startGame(w, b);
  await play(room, w, b, ['e2e4', 'e7e5', 'g1f3']);

  const [victim, survivor] = stack.engines as [typeof stack.engines[0], typeof stack.engines[0]];
  victim.crash();
  // What the victim would have held when killed: black's next move, delivered to it and never
  // acknowledged. XADD and the read run in one transaction, so no live engine can take it first.
  const cmd: EngineCommand = {
    t: 'move', room, uci: 'b8c6', ply: 3,
    origin: { gw: stack.gateway.id, conn: 'lost-conn', playerId: b.playerId, name: 'bob' },
  };
  const res = await redis.multi()
    .xadd(keys.commands(0), '*', ...(encodeEntry('move', room, cmd) as [string]))
    .xreadgroup('GROUP', ENGINE_GROUP, victim.id, 'COUNT', 1, 'STREAMS', keys.commands(0), '>')
    .exec();
  const held = res![1]![1] as [string, [string, string[]][]][];
  expect(held[0]![1]).toHaveLength(1);
  // (The victim may also hold an entry it handled but had not acknowledged when it died.)
  const heldByVictim = (await redis.xpending(keys.commands(0), ENGINE_GROUP, '-', '+', 10, victim.id)) as [string][];
  expect(heldByVictim.map(([id]) => id)).toContain(held[0]![1][0]![0]);

  // The survivor claims it once it has been idle for CLAIM_IDLE_MS, and both players see it.
  const [mw, mb] = await Promise.all([w.next('moved', (m) => m.ply === 4, 10_000), b.next('moved', (m) => m.ply === 4, 10_000)]);
  expect(mw).toMatchObject({ san: 'Nc6' });
  expect(mb.seq).toBe(mw.seq);
  expect(survivor.id).not.toBe(victim.id);

  // The game goes on with the survivor alone, and the claimed entry is acknowledged.
  await play(room, w, b, ['f1b5', 'a7a6'], 4);
  // Acks follow the events by a moment: wait for the group to have nothing pending.
  await waitFor(async () => ((await redis.xpending(keys.commands(0), ENGINE_GROUP)) as [number])[0] === 0, 5_000, 'commands left pending');
  const moves = JSON.parse((await redis.hget(keys.room(room), 's'))!).moves as string[];
  expect(moves).toEqual(['e2e4', 'e7e5', 'g1f3', 'b8c6', 'f1b5', 'a7a6']);
});

test('every command delivered again (the group rewound to 0) has no second effect', async () => {
  const keys = makeKeys(stack.keyPrefix);
  const w = await TestPlayer.connect(stack.httpUrl, 'alice');
  const b = await TestPlayer.connect(stack.httpUrl, 'bob');
  open.push(w, b);
  const room = await startGame(w, b);
  await play(room, w, b, ['d2d4', 'd7d5', 'c2c4']);
  const before = await redis.hget(keys.room(room), 's');
  const roomsBefore = (await redis.keys(`${stack.keyPrefix}:room:*`)).length;
  const eventsBefore = w.inbox.length;

  await redis.xgroup('SETID', keys.commands(0), ENGINE_GROUP, '0');
  // Wait until the engines have read and acknowledged the whole stream again.
  await waitFor(async () => {
    const groups = (await redis.xinfo('GROUPS', keys.commands(0))) as unknown[][];
    const g = Object.fromEntries((groups[0] as unknown[]).reduce<[string, unknown][]>((acc, v, i, arr) => (i % 2 ? acc : [...acc, [String(v), arr[i + 1]]]), []));
    return g.pending === 0 && g.lag === 0;
  }, 10_000, 'engines did not catch up with the rewound stream');

  expect(await redis.hget(keys.room(room), 's')).toBe(before);
  expect((await redis.keys(`${stack.keyPrefix}:room:*`)).length).toBe(roomsBefore);
  // The game goes on from where it was, and nobody saw an event twice.
  await play(room, w, b, ['e7e6'], 3);
  expect(w.inbox.slice(eventsBefore).map((m) => m.t)).toEqual(['moved']);
});
