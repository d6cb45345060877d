// Rendezvous ownership: one owner per stream, an even spread, and little movement when members change.
import { expect, test } from '@jest/globals';
import { ownedBy, owners } from './owners.js';

const streams = Array.from({ length: 64 }, (_, s) => `gambit:{r${s}}:stream:commands`);
const members = ['engine-a', 'engine-b', 'engine-c', 'engine-d'];

test('every stream has exactly one owner, the same whoever computes it and in whatever order the members come', () => {
  const o = owners(streams, members);
  expect(o.size).toBe(streams.length);
  expect(owners(streams, [...members].reverse())).toEqual(o);
  const union = members.flatMap((m) => ownedBy(m, streams, members));
  expect(union.sort()).toEqual([...streams].sort());
});

test('the streams spread over the members: none gets less than half or more than twice its share of 64', () => {
  const counts = members.map((m) => ownedBy(m, streams, members).length);
  for (const c of counts) {
    expect(c).toBeGreaterThanOrEqual(8);
    expect(c).toBeLessThanOrEqual(32);
  }
});

test('a member joining takes streams only for itself; one leaving hands only its own on', () => {
  const before = owners(streams, members);
  const joined = owners(streams, [...members, 'engine-e']);
  for (const s of streams) if (joined.get(s) !== before.get(s)) expect(joined.get(s)).toBe('engine-e');
  expect([...joined.values()].filter((m) => m === 'engine-e').length).toBeGreaterThan(0);
  const left = owners(streams, members.filter((m) => m !== 'engine-b'));
  for (const s of streams) if (before.get(s) !== 'engine-b') expect(left.get(s)).toBe(before.get(s));
});

test('alone (or missing from a list it has not yet joined), a member owns every stream; nobody owns nothing', () => {
  expect(ownedBy('engine-a', streams, [])).toEqual(streams);
  expect(ownedBy('engine-a', streams, ['engine-a'])).toEqual(streams);
  expect(owners(streams, []).size).toBe(0);
});
