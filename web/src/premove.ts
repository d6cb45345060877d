// Premoves, as on lichess: while the opponent thinks, a player may queue one move. Where a piece
// may go is judged by how it moves, not by the position (the opponent's move may open a line or
// bring a piece to capture), so `premoveTargets` is geometry only; when the opponent's move comes,
// `premoveToPlay` keeps the premove only if it is legal in the new position. Pure, no DOM.
import { Chess, type Square } from 'chess.js';
import type { Side } from '@gambit/protocol';

const FILES = 'abcdefgh';
const sq = (f: number, r: number): string | null => (f >= 0 && f < 8 && r >= 0 && r < 8 ? `${FILES[f]}${r + 1}` : null);
const KNIGHT = [[1, 2], [2, 1], [2, -1], [1, -2], [-1, -2], [-2, -1], [-2, 1], [-1, 2]];
const KING = [[1, 0], [1, 1], [0, 1], [-1, 1], [-1, 0], [-1, -1], [0, -1], [1, -1]];
const ROOK = [[1, 0], [-1, 0], [0, 1], [0, -1]];
const BISHOP = [[1, 1], [1, -1], [-1, 1], [-1, -1]];

/** Squares `side`'s piece on `from` could premove to in `fen` (empty if it is not their piece). */
export function premoveTargets(fen: string, side: Side, from: string): string[] {
  let piece;
  try {
    piece = new Chess(fen, { skipValidation: true }).get(from as Square);
  } catch {
    return [];
  }
  if (!piece || piece.color !== side[0]) return [];
  const f = FILES.indexOf(from[0]!);
  const r = Number(from[1]) - 1;
  const out = new Set<string>();
  const add = (s: string | null) => s && out.add(s);
  const ray = (dirs: number[][]) => {
    for (const [df, dr] of dirs) for (let i = 1; i < 8; i++) add(sq(f + df! * i, r + dr! * i));
  };
  switch (piece.type) {
    case 'p': {
      const up = side === 'white' ? 1 : -1;
      add(sq(f, r + up));
      if (r === (side === 'white' ? 1 : 6)) add(sq(f, r + 2 * up));
      add(sq(f - 1, r + up)); // a capture: something may be there by then
      add(sq(f + 1, r + up));
      break;
    }
    case 'n': for (const [df, dr] of KNIGHT) add(sq(f + df!, r + dr!)); break;
    case 'b': ray(BISHOP); break;
    case 'r': ray(ROOK); break;
    case 'q': ray(ROOK); ray(BISHOP); break;
    case 'k': {
      for (const [df, dr] of KING) add(sq(f + df!, r + dr!));
      const home = side === 'white' ? 'e1' : 'e8';
      if (from === home) for (const to of side === 'white' ? ['g1', 'c1'] : ['g8', 'c8']) out.add(to); // castling
      break;
    }
  }
  return [...out];
}

/**
 * The premove as a move to send in the new position `fen` (a pawn reaching the last rank becomes
 * a queen unless the premove said otherwise), or null when it is not legal there.
 */
export function premoveToPlay(fen: string, from: string, to: string, promotion?: string): string | null {
  let chess: Chess;
  try {
    chess = new Chess(fen);
  } catch {
    return null;
  }
  if (chess.isInsufficientMaterial()) return null; // the game just ended in a draw
  const legal = chess.moves({ square: from as Square, verbose: true }).filter((m) => m.to === to);
  if (legal.length === 0) return null;
  const promo = legal.some((m) => m.promotion) ? (promotion ?? 'q') : '';
  return `${from}${to}${promo}`;
}
