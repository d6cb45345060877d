// COMMIT_DURABILITY=replicated with the gateway reading its events from a replica (issue 16,
// docs/redis-cluster.md section 4): players see a move only once a replica has it, so a failover
// (the replica promoted) cannot take back a move anyone saw. With the replica stopped, a move is
// committed on the primary but shown to nobody; the engine counts the commit unreplicated after
// COMMIT_WAIT_MS; the moment the replica runs again, both players get the move.
import { afterAll, afterEach, beforeAll, describe, expect, test } from '@jest/globals';
import { Redis } from 'ioredis';
import { keys as makeKeys } from '@gambit/common';
import { startStack, type Stack } from '../support/stack.js';
import { TestPlayer, play, startGame } from '../support/player.js';
import { waitFor } from '../support/redis.js';

let stack: Stack;
let primary: Redis;
let players: TestPlayer[] = [];
beforeAll(async () => {
  stack = await startStack({ durability: 'replicated' });
  primary = new Redis(stack.redisUrl);
});
afterEach(() => { players.forEach((p) => p.close()); players = []; });
afterAll(async () => {
  stack?.replica?.resume();
  primary?.disconnect();
  await stack?.stop();
});

async function pair() {
  const w = await TestPlayer.connect(stack.httpUrl, 'wes');
  const b = await TestPlayer.connect(stack.httpUrl, 'bea');
  players.push(w, b);
  return { w, b, room: await startGame(w, b) };
}

const unreplicated = async () => {
  const text = await (await fetch(`http://127.0.0.1:${stack.engines[0]!.port}/metrics`)).text();
  return Number(/^gambit_engine_commits_unreplicated_total(?:\{[^}]*\})? (\S+)$/m.exec(text)?.[1] ?? Number.NaN);
};

describe('replicated commits, events read from the replica', () => {
  test('a game plays through; every commit reached the replica in time', async () => {
    const { w, b, room } = await pair();
    await play(room, w, b, ['f2f3', 'e7e5', 'g2g4', 'd8h4']);
    expect(await w.next('ended')).toMatchObject({ room, result: '0-1', reason: 'checkmate' });
    expect(await unreplicated()).toBe(0);
  });

  test('the replica stopped: the move is committed but shown to nobody until the replica runs again', async () => {
    const { w, b, room } = await pair();
    await play(room, w, b, ['e2e4']);
    const before = await unreplicated();
    stack.replica!.pause();
    try {
      b.send({ t: 'move', room, uci: 'e7e5', ply: 1 });
      // On the primary the move is in (async durability would deliver it from here)...
      const roomKey = makeKeys(stack.keyPrefix).room(room);
      await waitFor(async () => ((JSON.parse((await primary.hget(roomKey, 's')) ?? '{}') as { moves?: string[] }).moves ?? []).length === 2, 10_000, 'the move was never committed');
      // ...and the engine waited COMMIT_WAIT_MS for the replica, then counted the commit.
      await waitFor(async () => (await unreplicated()) > before, 10_000, 'the engine never counted the unreplicated commit');
      // The replica's process is stopped: the gateway's read from it cannot have returned the move.
      expect([...w.inbox, ...b.inbox].filter((m) => m.t === 'moved' && m.ply === 2)).toEqual([]);
    } finally {
      stack.replica!.resume();
    }
    const [mw, mb] = await Promise.all([w.next('moved', (m) => m.ply === 2, 10_000), b.next('moved', (m) => m.ply === 2, 10_000)]);
    expect(mw).toMatchObject({ uci: 'e7e5', san: 'e5' });
    expect(mb.seq).toBe(mw.seq);
    await play(room, w, b, ['g1f3'], 2);
  });
});
