// The deadline scan against a fake store and engine: what it reads, what it runs, what it counts.
import { expect, test } from '@jest/globals';
import { createLogger, keys as makeKeys } from '@gambit/common';
import { DeadlineScanner } from './deadlines.js';
import type { Engine } from './engine.js';
import type { RoomStore } from './store/room-store.js';
import { waitFor } from '../../../test/support/redis.js';

const keys = makeKeys('t');
const log = createLogger('test', 'silent');

function scanner(due: Record<string, string[]>, failing: string[] = [], batch?: number, k = keys) {
  const reads: { set: string; now: number; limit: number }[] = [];
  const calls: string[] = [];
  const store = {
    async due(set: string, now: number, limit: number) {
      reads.push({ set, now, limit });
      return due[set] ?? [];
    },
  } as unknown as RoomStore;
  const run = (what: string) => async (room: string) => {
    calls.push(`${what} ${room}`);
    if (failing.includes(room)) throw new Error(`${room} broke`);
  };
  const engine = { tick: run('tick'), expire: run('expire') } as unknown as Engine;
  return { s: new DeadlineScanner(store, engine, k, log, batch === undefined ? {} : { batch }), reads, calls };
}

test('reads the three sets up to the batch, then ticks each flag/grace room once and expires the rest', async () => {
  const { s, reads, calls } = scanner({
    [keys.flagDeadlines(0)]: ['A', 'B'],
    [keys.reconnectDeadlines(0)]: ['B', 'C'],
    [keys.roomExpiries(0)]: ['D', 'A'],
  }, [], 7);
  expect(await s.runOnce(1_000)).toEqual({ ticked: 3, expired: 1, failed: 0 });
  expect(reads).toEqual([keys.flagDeadlines(0), keys.reconnectDeadlines(0), keys.roomExpiries(0)].map((set) => ({ set, now: 1_000, limit: 7 })));
  // A (flag and expiry) is ticked only: its expiry is judged next round, from what the tick left.
  expect(calls).toEqual(['tick A', 'tick B', 'tick C', 'expire D']);
});

test('with room shards, every shard\'s sets are read, each up to the batch', async () => {
  const k = makeKeys('t', 3);
  const { s, reads, calls } = scanner({ [k.flagDeadlines(0)]: ['A'], [k.flagDeadlines(2)]: ['B'], [k.roomExpiries(1)]: ['C'] }, [], 5, k);
  expect(await s.runOnce(1_000)).toEqual({ ticked: 2, expired: 1, failed: 0 });
  expect(new Set(reads.map((r) => r.set))).toEqual(new Set([0, 1, 2].flatMap((n) => [k.flagDeadlines(n), k.reconnectDeadlines(n), k.roomExpiries(n)])));
  expect(reads.every((r) => r.limit === 5)).toBe(true);
  expect(calls).toEqual(['tick A', 'tick B', 'expire C']);
});

test('the default batch is 100', async () => {
  const { s, reads } = scanner({});
  expect(await s.runOnce()).toEqual({ ticked: 0, expired: 0, failed: 0 });
  expect(reads.map((r) => r.limit)).toEqual([100, 100, 100]);
});

test('a room that fails is counted; the others are still handled', async () => {
  const { s, calls } = scanner({ [keys.flagDeadlines(0)]: ['A', 'B'], [keys.roomExpiries(0)]: ['C', 'D'] }, ['A', 'D']);
  expect(await s.runOnce()).toEqual({ ticked: 2, expired: 2, failed: 2 });
  expect(calls).toEqual(['tick A', 'tick B', 'expire C', 'expire D']);
});

test('sets that cannot be read fail the round (runOnce); on the timer the next round tries again', async () => {
  let reads = 0;
  const store = { async due() { reads++; throw new Error('redis down'); } } as unknown as RoomStore;
  const s = new DeadlineScanner(store, {} as Engine, keys, log);
  await expect(s.runOnce()).rejects.toThrow('redis down');
  s.start(5);
  await waitFor(() => reads > 3, 5_000, 'the timer did not scan again after failed rounds');
  s.stop();
  const seen = reads;
  // Stopped: no further round, however long we look (a few timer periods here).
  await new Promise((r) => setTimeout(r, 30));
  expect(reads).toBe(seen);
});
