import { describe, expect, it } from '@jest/globals';
import type { GameRecord } from '@gambit/protocol';
import { newPlayer, rateGame } from '@gambit/ratings';
import { countsForRating, planRatings, ratingView, storedRating } from './ratings.js';

const base: GameRecord = {
  gameId: 'g1', room: 'ABCD2345', white: { playerId: 'u_a', name: 'a' }, black: { playerId: 'u_b', name: 'b' },
  result: '1/2-1/2', reason: 'agreement', winner: null, uci: ['e2e4', 'e7e5'], san: ['e4', 'e5'], fens: [], pgn: '',
  tc: { initialMs: 600_000, incrementMs: 0 }, clock: { white: 1, black: 1, running: null, at: 0 }, clockHistory: [1, 1],
  startedAt: 0, endedAt: 1_800_000_000_000, rated: true,
};

describe('countsForRating', () => {
  it('counts rated, decided games where both sides moved, between two players', () => {
    expect(countsForRating(base)).toBe(true);
    expect(countsForRating({ ...base, rated: undefined })).toBe(false); // casual, or a record from before ratings
    expect(countsForRating({ ...base, rated: false })).toBe(false);
    expect(countsForRating({ ...base, result: null, winner: null, reason: 'aborted' })).toBe(false);
    expect(countsForRating({ ...base, uci: ['e2e4'], san: ['e4'] })).toBe(false);
    expect(countsForRating({ ...base, black: base.white })).toBe(false);
  });
});

describe('stored ratings', () => {
  it('reads a players item per speed, a new player where there is none', () => {
    expect(storedRating(undefined, 'rapid')).toEqual({ rating: newPlayer(), games: 0 });
    const item = { rapidRating: 1620, rapidRd: 80, rapidVol: 0.06, rapidRatedAt: 5, rapidRatedGames: 12, blitzGames: 3 };
    expect(storedRating(item, 'rapid')).toEqual({ rating: { rating: 1620, rd: 80, vol: 0.06, ratedAt: 5 }, games: 12 });
    expect(storedRating(item, 'blitz')).toEqual({ rating: newPlayer(), games: 0 });
  });

  it('shows a rating rounded, with the deviation grown to now and the provisional flag', () => {
    const settled = { rating: { rating: 1620.4, rd: 50, vol: 0.06, ratedAt: 0 }, games: 40 };
    expect(ratingView(settled, 0)).toEqual({ rating: 1620, rd: 50, provisional: false, games: 40 });
    const idle = ratingView(settled, 5 * 365 * 86_400_000);
    expect(idle.rd).toBeGreaterThan(110);
    expect(idle.provisional).toBe(true);
  });
});

describe('planRatings', () => {
  it('rates the game from both stored ratings and numbers it for each player', () => {
    const white = { rating: { rating: 1700, rd: 60, vol: 0.06, ratedAt: base.endedAt - 86_400_000 }, games: 30 };
    const black = { rating: newPlayer(), games: 0 };
    const plan = planRatings(base, white, black);
    const want = rateGame(white.rating, black.rating, 0.5, base.endedAt);
    expect(plan.speed).toBe('rapid');
    expect(plan.ratings.white).toEqual({ before: 1700, after: want.white.rating, rd: want.white.rd, vol: want.white.vol, games: 31 });
    expect(plan.ratings.black).toMatchObject({ before: 1500, after: want.black.rating, games: 1 });
    expect(plan.seats).toEqual({ white: { seen: 30, next: want.white }, black: { seen: 0, next: want.black } });
    expect(plan.ratings.white.after).toBeLessThan(1700); // a draw with a weaker (new) player costs
  });
});
