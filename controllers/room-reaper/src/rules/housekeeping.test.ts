import { expect, test } from '@jest/globals';
import { keys } from '@gambit/common';
import { compareIds, gatewayStreams, orphanStreams, staleConsumers, trimBound } from './housekeeping.js';

test('stream ids compare by time then sequence, beyond float precision', () => {
  expect(compareIds('1-0', '2-0')).toBe(-1);
  expect(compareIds('2-10', '2-9')).toBe(1);
  expect(compareIds('5-5', '5-5')).toBe(0);
  expect(compareIds('9007199254740993-0', '9007199254740992-0')).toBe(1);
});

test('trim to what every group has acknowledged, kept for the retention time', () => {
  const now = 1_000_000;
  // Two groups: the slower one bounds the trim; a pending entry bounds its group.
  expect(trimBound([{ name: 'a', lastDeliveredId: '900000-0', oldestPendingId: null }, { name: 'b', lastDeliveredId: '950000-3', oldestPendingId: '800000-1' }], now, 0)).toBe('800000-1');
  // Retention: nothing younger than now - retain goes, whatever was acknowledged.
  expect(trimBound([{ name: 'a', lastDeliveredId: '990000-0', oldestPendingId: null }], now, 60_000)).toBe('940000-0');
  expect(trimBound([{ name: 'a', lastDeliveredId: '900000-0', oldestPendingId: null }], now, 60_000)).toBe('900000-0');
});

test('no trim without groups, or before anything was delivered', () => {
  expect(trimBound([], 1_000_000, 0)).toBeNull();
  expect(trimBound([{ name: 'a', lastDeliveredId: '0-0', oldestPendingId: null }], 1_000_000, 0)).toBeNull();
});

test('consumers of dead processes: idle long enough and nothing pending', () => {
  expect(staleConsumers([
    { name: 'dead', pending: 0, idleMs: 7_200_000 },
    { name: 'dead-with-work', pending: 2, idleMs: 7_200_000 },
    { name: 'live', pending: 0, idleMs: 900 },
  ], 3_600_000)).toEqual(['dead']);
});

test('orphan event streams: not registered and quiet', () => {
  const now = 10_000_000;
  expect(orphanStreams([
    { gw: 'old', lastEntryMs: now - 600_000 },
    { gw: 'empty', lastEntryMs: null },
    { gw: 'busy', lastEntryMs: now - 1_000 },
    { gw: 'live', lastEntryMs: now - 600_000 },
  ], new Set(['live']), now, 300_000)).toEqual(['old', 'empty']);
});

test('gateway event streams of one shard: the untagged names of old', () => {
  const k = keys('gambit', 1);
  const g = gatewayStreams([k.gatewayEvents('', 0)]);
  expect(g.pattern).toBe('gambit:stream:gw:*');
  expect(g.parse(k.gatewayEvents('gw-1', 0))).toEqual({ shard: 0, gw: 'gw-1' });
  expect(g.parse('gambit:stream:commands')).toBeNull();
});

test('gateway event streams of every shard: one pattern over the tags, each key back to its shard', () => {
  const k = keys('gambit', 16);
  const g = gatewayStreams(k.allShards.map((s) => k.gatewayEvents('', s)));
  expect(g.pattern).toBe('gambit:{r*}:stream:gw:*');
  for (const s of k.allShards) expect(g.parse(k.gatewayEvents('gw-a:b', s))).toEqual({ shard: s, gw: 'gw-a:b' });
  // Another shard count's streams match the pattern but are no shard of this deployment's.
  const other = keys('gambit', 4);
  const foreign = other.allShards.map((s) => other.gatewayEvents('gw', s)).filter((key) => !k.allShards.some((s) => key === k.gatewayEvents('gw', s)));
  expect(foreign.length).toBeGreaterThan(0);
  for (const key of foreign) expect(g.parse(key)).toBeNull();
  expect(g.parse('gambit:stream:gw:old')).toBeNull();
});

test('a glob character in a prefix is matched as written', () => {
  expect(gatewayStreams(['a*b[c]:stream:gw:']).pattern).toBe('a\\*b\\[c\\]:stream:gw:*');
});
