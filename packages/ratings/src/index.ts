// Glicko-2 ratings with lichess's settings, one game at a time: what the finalizer stores and the
// pages show. Pure (no I/O, no clock): the caller passes the time of the game.
import { ratePeriod, type Rating, type Settings } from './glicko2.js';

export { ratePeriod, bound, type Rating, type Outcome, type Settings } from './glicko2.js';

/** lichess's settings: new players 1500/500/0.09, tau 0.75, deviation 45..500, volatility <= 0.1. */
export const LICHESS: Settings = {
  initial: { rating: 1500, rd: 500, vol: 0.09 },
  tau: 0.75,
  minRd: 45,
  maxRd: 500,
  maxVol: 0.1,
};

/** lichess's rating periods per day: how fast an idle player's deviation grows. */
export const PERIODS_PER_DAY = 0.21436;
/** A rating shown with "?" (lichess): the deviation is still this large or larger. */
export const PROVISIONAL_RD = 110;
const DAY_MS = 86_400_000;

/** A player's rating for one speed: the Glicko-2 values and when their last rated game ended. */
export interface PlayerRating extends Rating { ratedAt: number | null }

export const newPlayer = (): PlayerRating => ({ ...LICHESS.initial, ratedAt: null });

/** Rating periods since the last rated game; a first game counts as one period. */
export function periodsSince(ratedAt: number | null, at: number): number {
  return ratedAt === null ? 1 : (Math.max(0, at - ratedAt) / DAY_MS) * PERIODS_PER_DAY;
}

/** The deviation now, grown with the time since the last rated game (what a page shows). */
export function currentRd(p: PlayerRating, at: number): number {
  return ratePeriod(p, [], LICHESS, periodsSince(p.ratedAt, at)).rd;
}

export const isProvisional = (rd: number): boolean => rd >= PROVISIONAL_RD;

/**
 * One rated game, one rating period for its two players (as lichess does). `whiteScore` is 1, 0.5
 * or 0. Each side is rated against the other as it stood before the game.
 */
export function rateGame(
  white: PlayerRating, black: PlayerRating, whiteScore: number, at: number,
): { white: PlayerRating; black: PlayerRating } {
  if (![0, 0.5, 1].includes(whiteScore)) throw new Error(`a score is 0, 0.5 or 1, not ${whiteScore}`);
  const rate = (p: PlayerRating, opponent: Rating, score: number): PlayerRating => ({
    ...ratePeriod(p, [{ opponent, score }], LICHESS, periodsSince(p.ratedAt, at)),
    ratedAt: at,
  });
  return { white: rate(white, black, whiteScore), black: rate(black, white, 1 - whiteScore) };
}

/** A rating as shown: rounded, with "?" while provisional (e.g. "1500?", "1734"). */
export const display = (rating: number, rd: number): string => `${Math.round(rating)}${isProvisional(rd) ? '?' : ''}`;
