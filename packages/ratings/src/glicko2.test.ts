import { describe, expect, it } from '@jest/globals';
import { ratePeriod, type Settings } from './glicko2.js';
import { LICHESS } from './index.js';

// Glickman's worked example (glicko2.pdf): tau 0.5, one rating period with three games.
const PAPER: Settings = { ...LICHESS, tau: 0.5 };
const player = { rating: 1500, rd: 200, vol: 0.06 };
const games = [
  { opponent: { rating: 1400, rd: 30, vol: 0.06 }, score: 1 },
  { opponent: { rating: 1550, rd: 100, vol: 0.06 }, score: 0 },
  { opponent: { rating: 1700, rd: 300, vol: 0.06 }, score: 0 },
];

describe('ratePeriod', () => {
  it("reproduces Glickman's example", () => {
    const after = ratePeriod(player, games, PAPER);
    // The paper rounds mu' to -0.2069 before converting (1464.06); unrounded it is 1464.05.
    expect(after.rating).toBeCloseTo(1464.06, 1);
    expect(after.rd).toBeCloseTo(151.52, 2);
    expect(after.vol).toBeCloseTo(0.05999, 4); // the paper shows 0.05999 (0.059996)
  });

  it('does not depend on the order of a period’s results', () => {
    const after = ratePeriod(player, [...games].reverse(), PAPER);
    expect(after.rating).toBeCloseTo(ratePeriod(player, games, PAPER).rating, 9);
  });

  it('grows only the deviation in a period without games', () => {
    const after = ratePeriod(player, [], PAPER);
    expect(after.rating).toBe(1500);
    expect(after.rd).toBeCloseTo(173.7178 * Math.sqrt((200 / 173.7178) ** 2 + 0.06 ** 2), 9);
    expect(after.vol).toBe(0.06);
  });

  it('keeps deviation and volatility within the bounds', () => {
    const settled = { rating: 1800, rd: 45, vol: 0.06 };
    const many = Array.from({ length: 50 }, () => ({ opponent: settled, score: 0.5 }));
    expect(ratePeriod(settled, many, LICHESS).rd).toBe(LICHESS.minRd);
    const wild = ratePeriod({ rating: 1500, rd: 500, vol: 0.2 }, [], LICHESS, 100);
    expect(wild.rd).toBe(LICHESS.maxRd);
    expect(wild.vol).toBe(LICHESS.maxVol);
  });
});
