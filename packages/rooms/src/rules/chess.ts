// chess.js behind a narrow interface: apply a UCI move, classify it, detect the end, write PGN.
import { Chess, type Move } from 'chess.js';
import type { EndReason, MoveKind, Result, Side } from '@gambit/protocol';

export { Chess };

export interface Applied {
  san: string;
  fen: string;
  kind: MoveKind;
  check: boolean;
}

export type MoveError = 'illegal_move' | 'promotion_required';

/** Plays `uci` on `chess` (mutating it) or says why it cannot be played. */
export function applyUci(chess: Chess, uci: string): Applied | MoveError {
  const from = uci.slice(0, 2);
  const to = uci.slice(2, 4);
  const promotion = uci[4];
  let move: Move;
  try {
    move = chess.move(promotion ? { from, to, promotion } : { from, to });
  } catch {
    // chess.js refuses a promotion without a piece; tell the client exactly that.
    const needsPiece = !promotion && chess.moves({ square: from as never, verbose: true }).some((m) => m.to === to && m.promotion);
    return needsPiece ? 'promotion_required' : 'illegal_move';
  }
  // chess.js wrote the position after the move into the Move (`after`): not written a second time.
  return { san: move.san, fen: move.after, kind: kindOf(move), check: chess.inCheck() };
}

function kindOf(move: Move): MoveKind {
  if (move.isPromotion()) return 'promotion';
  if (move.isKingsideCastle() || move.isQueensideCastle()) return 'castle';
  if (move.isEnPassant()) return 'en_passant';
  if (move.isCapture()) return 'capture';
  return 'move';
}

/** The game's end by the position alone, after the last move, if any. */
export function positionalEnd(chess: Chess): { result: Result; reason: EndReason } | null {
  if (chess.isCheckmate()) return { result: chess.turn() === 'w' ? '0-1' : '1-0', reason: 'checkmate' };
  if (chess.isStalemate()) return { result: '1/2-1/2', reason: 'stalemate' };
  if (chess.isInsufficientMaterial()) return { result: '1/2-1/2', reason: 'insufficient_material' };
  if (chess.isThreefoldRepetition()) return { result: '1/2-1/2', reason: 'threefold_repetition' };
  if (chess.isDrawByFiftyMoves()) return { result: '1/2-1/2', reason: 'fifty_moves' };
  return null;
}

/**
 * FIDE 6.9: a flag fall loses, unless the opponent cannot checkmate by any series of legal
 * moves. We count the clear cases: the opponent has a bare king, or king and one minor piece
 * against a bare king.
 */
export function canWinOnTime(chess: Chess, side: Side): boolean {
  const mine: string[] = [];
  const theirs: string[] = [];
  const colour = side === 'white' ? 'w' : 'b';
  for (const row of chess.board()) for (const sq of row) if (sq && sq.type !== 'k') (sq.color === colour ? mine : theirs).push(sq.type);
  if (mine.length === 0) return false;
  if (mine.length === 1 && (mine[0] === 'n' || mine[0] === 'b') && theirs.length === 0) return false;
  return true;
}

/**
 * A game in play: the chess.js position and the FEN before the first move and after every ply.
 * The FENs go into the finished game's record; they are kept here, in the engine's memory, so the
 * room state written to Redis on every move does not grow by a FEN per ply.
 */
export interface Game {
  chess: Chess;
  /** The moves played, in UCI, and the FEN before the first and after each. */
  uci: string[];
  fens: string[];
}

/** Plays `uci` in `game` (mutating it) or says why it cannot be played. */
export function play(game: Game, uci: string): Applied | MoveError {
  const applied = applyUci(game.chess, uci);
  if (typeof applied !== 'string') {
    game.uci.push(uci);
    game.fens.push(applied.fen);
  }
  return applied;
}

export function replay(uciMoves: readonly string[]): Game {
  const chess = new Chess();
  return catchUp({ chess, uci: [], fens: [chess.fen()] }, uciMoves);
}

/** Plays on `game` the stored moves past those it has (its moves must be a prefix of them). */
export function catchUp(game: Game, uciMoves: readonly string[]): Game {
  for (const uci of uciMoves.slice(game.uci.length)) {
    if (typeof play(game, uci) === 'string') throw new Error(`stored move ${uci} does not replay`);
  }
  return game;
}

export function resultWinner(result: Result | null): Side | null {
  return result === '1-0' ? 'white' : result === '0-1' ? 'black' : null;
}
