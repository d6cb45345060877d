// Pure rules of the replay screen: which ply is shown (stepping, the #ply in the URL), and for
// that ply the position (FEN), the last move and both clocks, from a stored game record.
import { Chess } from 'chess.js';
import type { GameRecord, Side } from '@gambit/protocol';
import { START_FEN } from './game.js';

/** What the replay needs of a stored game (GET /api/games/<id>: the finalizer's GameRecord). */
export type ReplayGame = Pick<GameRecord, 'uci' | 'san' | 'tc'> & { fens?: string[]; clockHistory?: number[] };

export type Step = 'first' | 'back' | 'forward' | 'last';

export const clampPly = (ply: number, total: number): number => Math.min(total, Math.max(0, Math.trunc(ply)));

/** The ply after pressing a step button (or its arrow key) at `ply`, in a game of `total` plies. */
export function step(ply: number, how: Step, total: number): number {
  switch (how) {
    case 'first': return 0;
    case 'back': return clampPly(ply - 1, total);
    case 'forward': return clampPly(ply + 1, total);
    case 'last': return total;
  }
}

/** The step an arrow (or Home/End) key means, or null for any other key. */
export function keyStep(key: string): Step | null {
  const keys: Record<string, Step> = { ArrowLeft: 'back', ArrowRight: 'forward', ArrowUp: 'first', ArrowDown: 'last', Home: 'first', End: 'last' };
  return Object.hasOwn(keys, key) ? keys[key]! : null;
}

/** `#12` -> 12 (clamped to the game); null for no hash or anything else. */
export function plyFromHash(hash: string, total: number): number | null {
  const m = /^#(\d{1,4})$/.exec(hash);
  return m ? clampPly(Number(m[1]), total) : null;
}

/** Every position of the game, from the start: index = ply. Computed when a record lacks them. */
export function fensOf(game: ReplayGame): string[] {
  if (game.fens && game.fens.length === game.uci.length + 1) return game.fens;
  const chess = new Chess();
  const fens = [START_FEN];
  for (const m of game.uci) {
    try {
      chess.move({ from: m.slice(0, 2), to: m.slice(2, 4), promotion: m[4] });
    } catch {
      break; // a record that does not replay: show what does
    }
    fens.push(chess.fen());
  }
  return fens;
}

export function lastMoveAt(game: ReplayGame, ply: number): { from: string; to: string } | null {
  const m = ply > 0 ? game.uci[ply - 1] : undefined;
  return m ? { from: m.slice(0, 2), to: m.slice(2, 4) } : null;
}

/** Each side's clock once `ply` plies were played: clockHistory holds the mover's time after each ply. */
export function clocksAt(game: ReplayGame, ply: number): Record<Side, number> {
  const clocks = { white: game.tc.initialMs, black: game.tc.initialMs };
  const history = game.clockHistory ?? [];
  for (let i = 0; i < Math.min(ply, history.length); i++) {
    clocks[i % 2 === 0 ? 'white' : 'black'] = history[i]!;
  }
  return clocks;
}

export interface MoveRow { num: number; white: { ply: number; san: string }; black: { ply: number; san: string } | null }

/** The move list as numbered rows of two plies (ply = the count after that move). */
export function moveRows(san: string[]): MoveRow[] {
  const rows: MoveRow[] = [];
  for (let i = 0; i < san.length; i += 2) {
    const black = san[i + 1];
    rows.push({ num: i / 2 + 1, white: { ply: i + 1, san: san[i]! }, black: black === undefined ? null : { ply: i + 2, san: black } });
  }
  return rows;
}

/** "After 3. Nf3", "After 3… Nc6", or "Starting position": what the shown position is. */
export function plyLabel(san: string[], ply: number): string {
  if (ply === 0) return 'Starting position';
  const num = Math.ceil(ply / 2);
  return `After ${num}${ply % 2 === 1 ? '.' : '…'} ${san[ply - 1] ?? ''}`.trimEnd();
}
