// The room as a session of games, as the page shows it: what the rematch controls offer now, and
// the series score beside each player. Pure, from the view model (game.ts) alone.
import type { Side } from '@gambit/protocol';
import { other, type GameView } from './game.js';

/**
 * What a player may do about the next game: nothing (still playing, watching, or a server without
 * rematches), offer one, wait on their own offer, answer the opponent's, or nothing any more
 * (someone left the room).
 */
export type RematchStage = 'none' | 'offer' | 'offered' | 'answer' | 'closed';

export function rematchStage(v: GameView): RematchStage {
  if (v.status !== 'ended' || !v.color || !v.room || !v.series) return 'none';
  if (v.rematchClosed) return 'closed';
  if (v.rematchOffer === v.color) return 'offered';
  if (v.rematchOffer === other(v.color)) return 'answer';
  return 'offer';
}

/** "1", "½", "1½": points as a chess score is written. */
export function formatPoints(n: number): string {
  const whole = Math.floor(n);
  if (n - whole < 0.5) return String(whole);
  return whole === 0 ? '½' : `${whole}½`;
}

/** The series points of the player in `side`, once there is a result to count (null: show none). */
export function seriesPoints(v: GameView, side: Side): string | null {
  const seat = v[side];
  if (!v.series || !seat || (v.series.game === 1 && v.status !== 'ended')) return null;
  return formatPoints(v.series.score[seat.playerId] ?? 0);
}
