// Key names: one shard keeps every earlier release's names (running installs upgrade in place);
// with shards, everything a room's commit touches is in that room's Cluster slot, and the shards
// spread evenly over primaries.
import { describe, expect, test } from '@jest/globals';
import calculateSlot from 'cluster-key-slot';
import { keys, shardTag } from './keys.js';

describe('keys', () => {
  test('one shard: the names of old, without tags', () => {
    const k = keys('gambit');
    expect([k.room('ABCDEFGH'), k.roomLog('ABCDEFGH'), k.roomGateways('ABCDEFGH'), k.crowd('ABCDEFGH'), k.chatLines('ABCDEFGH', 'players')]).toEqual([
      'gambit:room:ABCDEFGH', 'gambit:room:ABCDEFGH:log', 'gambit:room:ABCDEFGH:gw', 'gambit:room:ABCDEFGH:crowd', 'gambit:room:ABCDEFGH:chat:players',
    ]);
    expect([k.commands(0), k.finalize(0), k.finalizeDead(0), k.gatewayEvents('gw1', 0), k.once('1-0', 0)]).toEqual([
      'gambit:stream:commands', 'gambit:stream:finalize', 'gambit:stream:finalize:dead', 'gambit:stream:gw:gw1', 'gambit:once:1-0',
    ]);
    expect([k.flagDeadlines(0), k.reconnectDeadlines(0), k.roomExpiries(0), k.liveGames(0), k.liveSummaries(0)]).toEqual([
      'gambit:deadlines:flag', 'gambit:deadlines:reconnect', 'gambit:deadlines:expiry', 'gambit:live', 'gambit:live:summaries',
    ]);
    expect(k.shardGateways(0)).toBe(k.gateways);
    expect(k.allShards).toEqual([0]);
    expect(k.shardOf('ABCDEFGH')).toBe(0);
    expect(() => k.commands(1)).toThrow(/no room shard 1 of 1/);
  });

  test('sixteen shards: a room\'s commit keys share one slot; each shard has its own', () => {
    const k = keys('gambit', 16);
    const slotsOf = (names: string[]) => new Set(names.map((n) => calculateSlot(n)));
    for (const room of ['ABCDEFGH', 'ZZZZZZZZ', '23456789', 'KMNPQRST']) {
      const s = k.shardOf(room);
      const commit = [k.room(room), k.roomLog(room), k.roomGateways(room), k.flagDeadlines(s), k.reconnectDeadlines(s), k.roomExpiries(s), k.finalize(s),
        k.once('1-0', s), k.shardGateways(s), k.commands(s), k.liveGames(s), k.liveSummaries(s), k.gatewayEvents('gw1', s), k.crowd(room), k.chatLines(room, 'spectators')];
      expect(slotsOf(commit).size).toBe(1);
      expect(k.room(room)).toMatch(new RegExp(`^gambit:\\{r${s}\\.\\d+\\}:room:${room}$`));
    }
    expect(slotsOf(k.allShards.map((s) => k.commands(s))).size).toBe(16);
    expect(k.shardGateways(3)).not.toBe(k.gateways);
  });

  test('shard tags fall in equal parts of the slot space: even over three primaries', () => {
    const part = (n: number, s: number) => [Math.floor((s * 16384) / n), Math.floor(((s + 1) * 16384) / n)];
    for (const n of [2, 3, 16, 100]) {
      for (let s = 0; s < n; s++) {
        const slot = calculateSlot(shardTag(s, n));
        const [lo, hi] = part(n, s);
        expect(slot >= lo! && slot < hi!).toBe(true);
      }
    }
    // redis-cli --cluster create gives three primaries 0-5460, 5461-10922, 10923-16383.
    const k = keys('gambit', 16);
    const primaries = [0, 0, 0];
    for (const s of k.allShards) primaries[calculateSlot(k.commands(s)) <= 5460 ? 0 : calculateSlot(k.commands(s)) <= 10922 ? 1 : 2]! += 1;
    expect(primaries.every((n) => n === 5 || n === 6)).toBe(true);
  });

  test('rooms spread over the shards', () => {
    const k = keys('gambit', 8);
    const counts = new Array<number>(8).fill(0);
    const alphabet = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789';
    for (let i = 0; i < 8000; i++) {
      let code = '';
      for (let j = 0, x = i * 2654435761; j < 8; j++, x = Math.floor(x / 31) + i * 7919) code += alphabet[x % 31];
      counts[k.shardOf(code)]! += 1;
    }
    expect(Math.min(...counts)).toBeGreaterThan(800);
  });

  test('a shard count out of range is refused with the range', () => {
    expect(() => keys('gambit', 0)).toThrow(/from 1 to 1024/);
    expect(() => keys('gambit', 1.5)).toThrow(/from 1 to 1024/);
    expect(() => keys('gambit', 2000)).toThrow(/from 1 to 1024/);
  });
});

describe('the Cluster layout (REDIS_MODE=cluster)', () => {
  const slot = (key: string) => calculateSlot(key);
  test('every key carries a hash tag, even with one shard; a single Redis keeps the names of old', () => {
    const one = keys('g', 1, 'cluster');
    for (const key of [one.room('ABCDEFGH'), one.commands(0), one.finalize(0), one.gatewayEvents('gw1', 0), one.shardGateways(0), one.pool('3+0', true), one.playing('p1'), one.accountJobs, one.gatewayConns('gw1')]) {
      expect(key).toMatch(/\{[^}]+\}/);
    }
    expect(keys('g', 1).room('ABCDEFGH')).toBe('g:room:ABCDEFGH');
    expect(keys('g', 1).pairs).toBeNull();
    expect(keys('g', 4).pairCommands('p1')).toBe(keys('g', 4).commands(keys('g', 4).shardOf('p1')));
  });

  test('what one script touches shares a slot: a room and its shard, the matchmaking keys and the outbox, a stream and its dead letters', () => {
    const k = keys('g', 8, 'cluster');
    const room = 'QWERTYUI';
    const s = k.shardOf(room);
    for (const key of [k.roomLog(room), k.roomGateways(room), k.crowd(room), k.chatLines(room, 'players'), k.commands(s), k.finalize(s), k.finalizeDead(s), k.gatewayEvents('gw', s), k.shardGateways(s), k.once('id', s), k.liveGames(s), k.flagDeadlines(s)]) {
      expect(slot(key)).toBe(slot(k.room(room)));
    }
    const mm = [k.pool('1+0', false), k.seeks, k.seeksVersion, k.playing('a'), k.playing('b'), k.friends('a'), k.blocks('b'), k.ratings('a'), k.challengesIn('a'), k.challengesOut('b'), k.challengeRate('a'), k.pairs!, k.pairCommands('anyone')];
    expect(new Set(mm.map(slot)).size).toBe(1);
    expect(slot(k.accountJobs)).toBe(slot(k.accountJobsDead));
    expect(slot(k.gatewayConns('gw'))).toBe(slot(k.gatewayConnections('gw')));
  });
});
