import { describe, expect, it } from '@jest/globals';
import { DEFAULT_RULES, acceptedGap, pairUp, type Waiting } from './match.js';

const T = 1_000_000;
let n = 0;
function w(rating: number, waitedMs = 0, playerId = `u_p${++n}`): Waiting {
  return { playerId, name: playerId, gw: 'gw', conn: `c${n}`, rating, since: T - waitedMs };
}
const ids = (pairs: [Waiting, Waiting][]) => pairs.map(([a, b]) => [a.playerId, b.playerId].sort().join('+')).sort();

describe('acceptedGap', () => {
  it('starts at the initial gap, widens with waiting and stops at the maximum', () => {
    expect(acceptedGap(T, T)).toBe(DEFAULT_RULES.initialGap);
    expect(acceptedGap(T - 4_000, T)).toBe(DEFAULT_RULES.initialGap + 4 * DEFAULT_RULES.gapPerSecond);
    expect(acceptedGap(T - 3_600_000, T)).toBe(DEFAULT_RULES.maxGap);
    // A clock that stepped back never narrows it below the start.
    expect(acceptedGap(T + 5_000, T)).toBe(DEFAULT_RULES.initialGap);
  });
});

describe('pairUp', () => {
  it('pairs two newcomers within the initial gap, not two far apart', () => {
    const a = w(1500), b = w(1580);
    expect(ids(pairUp([a, b], T))).toEqual([[a.playerId, b.playerId].sort().join('+')]);
    expect(pairUp([w(1500), w(1700)], T)).toEqual([]);
  });

  it('widens the gap for whoever waited: a newcomer 300 away is paired with a player who waited 5 s', () => {
    const old = w(1500, 5_000), fresh = w(1800);
    expect(pairUp([old, fresh], T)).toHaveLength(1);
    expect(pairUp([w(1500, 3_000), w(1800)], T)).toEqual([]);
  });

  it('gives the longest waiter the closest rating', () => {
    const waiter = w(1500, 2_000), near = w(1520), far = w(1590), other = w(1600);
    const pairs = pairUp([far, near, other, waiter], T);
    expect(ids(pairs)).toEqual(ids([[waiter, near], [far, other]]));
  });

  it('never pairs a player with themselves (two tabs) nor with someone blocked', () => {
    const tab1 = w(1500, 0, 'u_same'), tab2 = w(1500, 1_000, 'u_same');
    expect(pairUp([tab1, tab2], T)).toEqual([]);
    const a = w(1500), b = w(1510), c = w(1590);
    const blocked = (x: string, y: string) => [x, y].sort().join() === [a.playerId, b.playerId].sort().join();
    expect(ids(pairUp([a, b, c], T, blocked))).toEqual(ids([[a, c]]));
  });

  it('puts each player in at most one pair, and pairs everyone it can in a crowded pool', () => {
    const crowd = Array.from({ length: 501 }, (_, i) => w(1200 + ((i * 37) % 600), i * 10));
    const pairs = pairUp(crowd, T);
    const seen = pairs.flat().map((p) => p.playerId);
    expect(new Set(seen).size).toBe(seen.length);
    expect(pairs).toHaveLength(250); // 600 points of ratings over 501 players: one is left over
    for (const [a, b] of pairs) expect(Math.abs(a.rating - b.rating)).toBeLessThanOrEqual(Math.max(acceptedGap(a.since, T), acceptedGap(b.since, T)));
  });
});
