// Lag as the pages show it, from the server's numbers: a player's connection quality while playing
// (signal bars from the lag of their last move, `moved.lag`), and in a stored game each move's lag
// and the time the clock gave back for it (the record's lagHistory and compHistory). Pure.
import type { GameRecord, Side } from '@gambit/protocol';

/**
 * Bars of a signal indicator for a round trip (ms), as lichess draws its ping: 4 under 150 ms, 3
 * under 300, 2 under 500, 1 beyond. Up to about the quota's gain per move (0.39 s at 1+0, 1 s
 * from 5+0) the clock gives the whole lag back; the bars tell the player before it stops doing so.
 */
export function connectionBars(lagMs: number): 1 | 2 | 3 | 4 {
  if (lagMs < 150) return 4;
  if (lagMs < 300) return 3;
  if (lagMs < 500) return 2;
  return 1;
}

type LagGame = Pick<GameRecord, 'uci'> & { lagHistory?: number[]; compHistory?: number[] };

/** The lag of the move that led to `ply`, and what the clock gave back for it; null at the start or without a record of it. */
export function lagAt(game: LagGame, ply: number): { lag: number; comp: number } | null {
  const i = ply - 1;
  const lag = game.lagHistory?.[i];
  if (i < 0 || lag === undefined) return null;
  return { lag, comp: game.compHistory?.[i] ?? 0 };
}

export interface SideLag { moves: number; meanLag: number; totalComp: number }

/** Each side's mean lag over its moves and the total time given back; null for a record without lag. */
export function lagSummary(game: LagGame): Record<Side, SideLag> | null {
  if (!game.lagHistory?.length) return null;
  const out: Record<Side, SideLag> = { white: { moves: 0, meanLag: 0, totalComp: 0 }, black: { moves: 0, meanLag: 0, totalComp: 0 } };
  game.lagHistory.forEach((lag, i) => {
    const s = out[i % 2 === 0 ? 'white' : 'black'];
    s.meanLag += lag;
    s.totalComp += game.compHistory?.[i] ?? 0;
    s.moves += 1;
  });
  for (const s of Object.values(out)) s.meanLag = s.moves ? Math.round(s.meanLag / s.moves) : 0;
  return out;
}

/** 180 ms, 1.2 s: a lag or a compensation in words. */
export function lagText(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}
