// A game's speed category, as lichess names them, from its estimated duration: initial time plus
// 40 increments (a game of about 40 moves each). Stats are kept per category now; ratings will be
// too. lichess's bounds, in seconds: under 180 bullet, under 480 blitz, under 1500 rapid, then
// classical (its ultraBullet, under 30 s, counts as bullet here: Gambit's fastest control is 1 min).

export const SPEEDS = ['bullet', 'blitz', 'rapid', 'classical'] as const;
export type Speed = (typeof SPEEDS)[number];

export function speedOf(tc: { initialMs: number; incrementMs: number }): Speed {
  const estimatedS = (tc.initialMs + 40 * tc.incrementMs) / 1000;
  if (estimatedS < 180) return 'bullet';
  if (estimatedS < 480) return 'blitz';
  if (estimatedS < 1500) return 'rapid';
  return 'classical';
}

/** Counts of finished games, overall and per speed. */
export interface Tally { games: number; wins: number; losses: number; draws: number }
export const TALLY_FIELDS = ['games', 'wins', 'losses', 'draws'] as const;

/** The flat attribute a per-speed count is stored under, e.g. blitzWins. */
export const speedField = (speed: Speed, field: (typeof TALLY_FIELDS)[number]): string =>
  `${speed}${field[0]!.toUpperCase()}${field.slice(1)}`;
