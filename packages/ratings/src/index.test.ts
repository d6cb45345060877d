import { describe, expect, it } from '@jest/globals';
import { currentRd, display, isProvisional, newPlayer, periodsSince, rateGame, type PlayerRating } from './index.js';

const DAY = 86_400_000;
const t0 = Date.UTC(2026, 0, 1);

describe('rateGame', () => {
  it('moves two equal players by the same amount in opposite directions', () => {
    const { white, black } = rateGame(newPlayer(), newPlayer(), 1, t0);
    expect(white.rating).toBeGreaterThan(1500);
    expect(white.rating - 1500).toBeCloseTo(1500 - black.rating, 9);
    expect(white.rd).toBeCloseTo(black.rd, 9);
    expect(white.ratedAt).toBe(t0);
    const draw = rateGame(newPlayer(), newPlayer(), 0.5, t0);
    expect(draw.white.rating).toBeCloseTo(1500, 9);
    expect(draw.white.rd).toBeLessThan(500);
  });

  it('swapping colours swaps the results', () => {
    const a: PlayerRating = { rating: 1620, rd: 80, vol: 0.06, ratedAt: t0 - DAY };
    const b: PlayerRating = { rating: 1480, rd: 150, vol: 0.07, ratedAt: t0 - 3 * DAY };
    const one = rateGame(a, b, 0, t0);
    const other = rateGame(b, a, 1, t0);
    expect(one.white).toEqual(other.black);
    expect(one.black).toEqual(other.white);
  });

  it('gains less from beating a weaker player than from beating a stronger one', () => {
    const me: PlayerRating = { rating: 1500, rd: 60, vol: 0.06, ratedAt: t0 };
    const weak = { ...me, rating: 1300 };
    const strong = { ...me, rating: 1700 };
    const gainWeak = rateGame(me, weak, 1, t0).white.rating - 1500;
    const gainStrong = rateGame(me, strong, 1, t0).white.rating - 1500;
    expect(gainWeak).toBeGreaterThan(0);
    expect(gainStrong).toBeGreaterThan(gainWeak);
  });

  it('refuses a score other than 1, 0.5 or 0', () => {
    expect(() => rateGame(newPlayer(), newPlayer(), 2, t0)).toThrow(/score/);
  });
});

describe('inactivity', () => {
  const settled: PlayerRating = { rating: 1700, rd: 60, vol: 0.06, ratedAt: t0 };

  it('counts 0.21436 rating periods per day, and one for a first game', () => {
    expect(periodsSince(t0, t0 + 10 * DAY)).toBeCloseTo(2.1436, 9);
    expect(periodsSince(null, t0)).toBe(1);
  });

  it('grows the deviation with the time since the last rated game, up to the bound', () => {
    const week = currentRd(settled, t0 + 7 * DAY);
    const year = currentRd(settled, t0 + 365 * DAY);
    expect(currentRd(settled, t0)).toBeCloseTo(60, 9);
    expect(week).toBeGreaterThan(60);
    expect(year).toBeGreaterThan(week);
    expect(currentRd(settled, t0 + 1e6 * DAY)).toBe(500);
  });

  it('moves a returning player more than one who played yesterday', () => {
    const opponent: PlayerRating = { ...settled, ratedAt: t0 + 400 * DAY };
    const soon = rateGame(settled, opponent, 1, t0 + DAY).white.rating;
    const late = rateGame(settled, opponent, 1, t0 + 400 * DAY).white.rating;
    expect(late).toBeGreaterThan(soon);
  });
});

describe('provisional', () => {
  it('is provisional while the deviation is 110 or more', () => {
    expect(isProvisional(500)).toBe(true);
    expect(isProvisional(110)).toBe(true);
    expect(isProvisional(109.9)).toBe(false);
    expect(display(1523.6, 200)).toBe('1524?');
    expect(display(1523.4, 60)).toBe('1523');
  });

  it('a new player leaves provisional after enough games', () => {
    let me = newPlayer();
    let opponent = newPlayer();
    let games = 0;
    for (; isProvisional(me.rd) && games < 100; games++) {
      const at = t0 + games * 60_000;
      ({ white: me, black: opponent } = rateGame(me, opponent, games % 2 ? 1 : 0.5, at));
    }
    expect(games).toBeGreaterThan(1);
    expect(isProvisional(me.rd)).toBe(false);
  });
});
