// Which finished games change ratings, and what the finalizer writes for them: pure, so the
// transaction builder (store.ts) and the tests share one definition. A player's rating per speed
// lives on their players item as flat attributes (blitzRating, blitzRd, blitzVol, blitzRatedAt,
// blitzRatedGames); the count is also the version a rating write is conditioned on.
import { speedOf, type Color, type GameRecord, type Speed } from '@gambit/protocol';
import { currentRd, isProvisional, newPlayer, rateGame, type PlayerRating } from '@gambit/ratings';

/** One side of a rated game as stored in the record and the side's player-game row. */
export interface SideRating {
  before: number;
  after: number;
  /** Deviation and volatility after the game: with `after`, the player's whole state then. */
  rd: number;
  vol: number;
  /** The player's rated games at this speed, this one included (1 for their first). */
  games: number;
}
export type GameRatings = Record<Color, SideRating>;

/** A player's stored rating for one speed and how many rated games made it. */
export interface StoredRating { rating: PlayerRating; games: number }

/** What the finalizer writes for a rated game: the record's ratings and each player's new state. */
export interface RatingPlan {
  speed: Speed;
  ratings: GameRatings;
  seats: Record<Color, { seen: number; next: PlayerRating }>;
}

/**
 * Rated, decided, both sides moved (lichess: a game ending before that is not rated), and two
 * different players. Records from before ratings have no `rated`: casual.
 */
export function countsForRating(r: GameRecord): boolean {
  return r.rated === true && r.result !== null && r.uci.length >= 2 && r.white.playerId !== r.black.playerId;
}

export const RATING_FIELDS = ['Rating', 'Rd', 'Vol', 'RatedAt', 'RatedGames'] as const;
export const ratingField = (speed: Speed, f: (typeof RATING_FIELDS)[number]): string => `${speed}${f}`;

/** A players item (plain object, or none yet) as a rating for `speed`: a new player's when unrated. */
export function storedRating(item: Record<string, unknown> | undefined, speed: Speed): StoredRating {
  const games = Number(item?.[ratingField(speed, 'RatedGames')] ?? 0);
  if (!item || games === 0) return { rating: newPlayer(), games: 0 };
  const num = (f: (typeof RATING_FIELDS)[number]) => Number(item[ratingField(speed, f)]);
  return { rating: { rating: num('Rating'), rd: num('Rd'), vol: num('Vol'), ratedAt: num('RatedAt') }, games };
}

const whiteScore = (r: GameRecord): number => (r.result === '1-0' ? 1 : r.result === '0-1' ? 0 : 0.5);

/** The ratings a game gives, from both players' ratings as read before the write. */
export function planRatings(record: GameRecord, white: StoredRating, black: StoredRating): RatingPlan {
  const next = rateGame(white.rating, black.rating, whiteScore(record), record.endedAt);
  const side = (before: StoredRating, after: PlayerRating): SideRating => ({
    before: before.rating.rating, after: after.rating, rd: after.rd, vol: after.vol, games: before.games + 1,
  });
  return {
    speed: speedOf(record.tc),
    ratings: { white: side(white, next.white), black: side(black, next.black) },
    seats: { white: { seen: white.games, next: next.white }, black: { seen: black.games, next: next.black } },
  };
}

/** A speed's rating as the read API shows it: rounded, the deviation grown with idle time. */
export interface RatingView { rating: number; rd: number; provisional: boolean; games: number }

export function ratingView(s: StoredRating, now: number): RatingView {
  const rd = currentRd(s.rating, now);
  return { rating: Math.round(s.rating.rating), rd: Math.round(rd), provisional: isProvisional(rd), games: s.games };
}
