// Room shards on one Redis (issue 16, ROOM_SHARDS=4; docs/redis-cluster.md): games spread over the
// shards, each room's keys in its shard's Cluster slot, whole games across two gateways and two
// engines, a resume on the other gateway, a flag falling with nobody sending (every shard's
// deadlines scanned), quick pairing, chat, and every game stored once by the finalizer.
import { describe, expect, test } from '@jest/globals';
import calculateSlot from 'cluster-key-slot';
import { keys as makeKeys, ENGINE_GROUP, FINALIZER_GROUP } from '@gambit/common';
import { useTwoGateways } from '../support/two-gateways.js';
import { TestPlayer, play, startGame, storedGame } from '../support/player.js';
import { waitFor } from '../support/redis.js';

const SHARDS = 4;
const t = useTwoGateways({ roomShards: SHARDS, engines: 2 });
const k = () => makeKeys(t.stack.keyPrefix, SHARDS);

async function stored(room: string): Promise<Record<string, unknown>> {
  const s = await t.redis.hget(k().room(room), 's');
  return storedGame(t.stack.httpUrl, (JSON.parse(s!) as { gameId: string }).gameId, 15_000);
}

describe(`${SHARDS} room shards on one Redis`, () => {
  test('twelve games over two gateways and two engines: spread over the shards, each room in its slot, each stored once', async () => {
    const rooms: string[] = [];
    await Promise.all(Array.from({ length: 12 }, async (_, i) => {
      const w = await t.connect(`w${i}`);
      const b = await t.connect(`b${i}`, t.second);
      const room = await startGame(w, b);
      rooms.push(room);
      await play(room, w, b, ['f2f3', 'e7e5', 'g2g4', 'd8h4']);
      await Promise.all([w.next('ended'), b.next('ended')]);
    }));
    const shards = new Set(rooms.map((r) => k().shardOf(r)));
    expect(shards.size).toBeGreaterThan(1); // 12 random codes in one of 4 shards: 4 x 4^-12
    for (const room of rooms) {
      const key = k().room(room);
      expect(key).toMatch(/\{r\d+\.\d+\}:room:/);
      expect(await t.redis.exists(key, k().roomLog(room))).toBe(2);
      expect(calculateSlot(key)).toBe(calculateSlot(k().commands(k().shardOf(room))));
      expect(await stored(room)).toMatchObject({ room, result: '0-1', reason: 'checkmate' });
    }
    // Each shard's streams were read by their groups: nothing left pending anywhere.
    for (const s of k().allShards) {
      for (const [stream, group] of [[k().commands(s), ENGINE_GROUP], [k().finalize(s), FINALIZER_GROUP]] as const) {
        await waitFor(async () => ((await t.redis.xpending(stream, group)) as [number])[0] === 0, 10_000, `${stream}: entries left pending`);
      }
    }
    // Nothing was written under the names of one shard.
    expect(await t.redis.exists(`${t.stack.keyPrefix}:stream:commands`, `${t.stack.keyPrefix}:stream:finalize`)).toBe(0);
  });

  test('a player resumes on the other gateway and the game goes on; chat reaches both', async () => {
    const w = await t.connect('wanda');
    const b = await t.connect('boris', t.second);
    const room = await startGame(w, b);
    await play(room, w, b, ['e2e4', 'e7e5']);
    const lastSeen = b.inbox.find((m) => m.t === 'moved' && m.ply === 2)!.seq as number;
    b.ws.terminate();
    await w.next('presence', (m) => m.connected === false);
    w.send({ t: 'move', room, uci: 'g1f3', ply: 2 });
    await w.next('moved', (m) => m.ply === 3);
    const back = await TestPlayer.connect(t.stack.httpUrl, 'boris', { token: b.token, resume: { room, seq: lastSeen } });
    try {
      expect(await back.next('moved')).toMatchObject({ ply: 3, san: 'Nf3' });
      await play(room, w, back, ['b8c6'], 3);
      w.send({ t: 'say', room, text: 'good luck' });
      expect(await back.next('said')).toMatchObject({ text: 'good luck' });
    } finally {
      back.close();
    }
  });

  test('a flag falls with nobody sending, in whichever shard the room is', async () => {
    const w = await t.connect('fast');
    const b = await t.connect('slow', t.second);
    const room = await startGame(w, b, { initialMs: 1_000, incrementMs: 0 });
    await play(room, w, b, ['e2e4', 'e7e5']);
    const [ew, eb] = await Promise.all([w.next('ended', () => true, 10_000), b.next('ended', () => true, 10_000)]);
    expect(ew).toMatchObject({ room, reason: 'timeout' });
    expect(eb.seq).toBe(ew.seq);
  });

  test('quick pairing: two players in the pool get one game, played in its shard', async () => {
    const a = await t.connect('pia');
    const c = await t.connect('pim', t.second);
    a.send({ t: 'pool', pool: '3+0' });
    c.send({ t: 'pool', pool: '3+0' });
    const [pa, pc] = await Promise.all([a.next('paired', () => true, 10_000), c.next('paired', () => true, 10_000)]);
    expect(pa.room).toBe(pc.room);
    expect(await t.redis.exists(k().room(String(pa.room)))).toBe(1);
    await Promise.all([a.next('started'), c.next('started')]);
  });
});
