// The first-move timer, as on lichess: each side must make its first move within a limit that
// depends on the game's speed, or the game is aborted with no result (nobody's rating changes).
// Shared by the engine (which ends the game) and the page (which shows the countdown).
import { speedOf, type Speed } from './speed.js';

/** lichess's limits, per speed (seconds): 20 bullet, 25 blitz, 30 rapid, 35 classical. */
export const FIRST_MOVE_MS: Record<Speed, number> = { bullet: 20_000, blitz: 25_000, rapid: 30_000, classical: 35_000 };

export const firstMoveLimitMs = (tc: { initialMs: number; incrementMs: number }): number => FIRST_MOVE_MS[speedOf(tc)];

/**
 * When the side to move loses the game to the first-move timer, or null once both have moved.
 * The window opens when that side's clock started (`clock.at`: the game's start for White, White's
 * first move for Black); a moretime or takeback settles the clock and so opens it anew.
 */
export function firstMoveDeadline(g: { status: string; moves: readonly string[]; clock: { at: number }; tc: { initialMs: number; incrementMs: number } }): number | null {
  if (g.status !== 'active' || g.moves.length >= 2) return null;
  return g.clock.at + firstMoveLimitMs(g.tc);
}
