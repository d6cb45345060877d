// The engine core's settings without Redis: an Engine that only runs deadlines needs no grace.
import { expect, test } from '@jest/globals';
import { createLogger } from '@gambit/common';
import type { Origin } from '@gambit/protocol';
import { Engine } from './engine.js';
import type { RoomStore } from './store/room-store.js';

const log = createLogger('test', 'silent');
const origin: Origin = { gw: 'gw1', conn: 'c1', playerId: 'p1', name: 'alice' };

test('without graceMs (the controller: deadlines only) a disconnect is refused before anything is read or written', async () => {
  const touched: string[] = [];
  const store = new Proxy({}, { get: (_t, name) => { touched.push(String(name)); throw new Error(`store.${String(name)} used`); } }) as unknown as RoomStore;
  const engine = new Engine(store, {}, log);
  await expect(engine.handle({ t: 'disconnect', origin, room: 'ABCDEFGH' }, '1-0')).rejects.toThrow('no graceMs');
  expect(touched).toEqual([]);
});

test('without graceMs, deadlines run: a tick for a room that is gone takes it off the deadline sets', async () => {
  const calls: string[] = [];
  const store = {
    async load(code: string) { calls.push(`load ${code}`); return { version: 0, state: null }; },
    async forget(code: string) { calls.push(`forget ${code}`); },
  } as unknown as RoomStore;
  const engine = new Engine(store, {}, log);
  await engine.tick('ABCDEFGH');
  await engine.expire('ABCDEFGH');
  expect(calls).toEqual(['load ABCDEFGH', 'forget ABCDEFGH', 'load ABCDEFGH', 'forget ABCDEFGH']);
});
