// Typed moves: what a person types in the move box under the board (components/MoveInput.tsx) to
// the UCI move the server takes, for the shown position. SAN in the forms people type (e4, Nf3,
// nf3, exd5, Nbd2, O-O, 0-0, e8=Q, e8Q, with or without + and #) and from-to squares (e2e4,
// e7e8q). Pure, on chess.js: a refusal comes back as a sentence to show beside the box, so the
// person can mend what they typed; nothing is sent from here.
import { Chess, type Move, type PieceSymbol, type Square } from 'chess.js';

export type TypedMove = { ok: true; uci: string; san: string } | { ok: false; error: string };

const NAMES: Record<PieceSymbol, string> = { p: 'pawn', n: 'knight', b: 'bishop', r: 'rook', q: 'queen', k: 'king' };

/** One way to read the typed text: which piece, from where (as much as was said), to where. */
interface Reading {
  piece: PieceSymbol | null; // null: any piece (both coordinates of the from-square were typed)
  fromFile?: string;
  fromRank?: string;
  to: string;
  promotion?: PieceSymbol;
}

const fail = (error: string): TypedMove => ({ ok: false, error });
const uciOf = (m: Move): string => `${m.from}${m.to}${m.promotion ?? ''}`;
const HINT = 'type a move like e4, Nf3, exd5, O-O or e7e8q';

/** Reads `typed` as a legal move in `fen`, or says why it is not one. */
export function readTypedMove(fen: string, typed: string): TypedMove {
  let chess: Chess;
  try {
    chess = new Chess(fen);
  } catch {
    return fail('The position is not known yet');
  }
  const text = typed.trim();
  if (!text) return fail(`Nothing typed: ${HINT}`);
  const legal = chess.moves({ verbose: true });
  // Check signs, annotations and spaces say nothing about which move it is; "e.p." neither.
  const core = text.replace(/\s+/g, '').replace(/e\.p\.?$/i, '').replace(/[+#!?]+$/, '');

  const castle = /^[oO0](?:-?[oO0]){1,2}$/.test(core) ? (core.replace(/-/g, '').length === 2 ? 'O-O' : 'O-O-O') : null;
  if (castle) {
    const move = legal.find((m) => m.san.replace(/[+#]$/, '') === castle);
    if (move) return { ok: true, uci: uciOf(move), san: move.san };
    return fail(`Castling ${castle === 'O-O' ? 'kingside' : 'queenside'} is not allowed here`);
  }

  const readings = readingsOf(core.replace(/[xX×:=-]/g, ''));
  if (readings.length === 0) return fail(`“${text}” is not a move: ${HINT}`);
  const found = readings.map((r) => ({ reading: r, moves: legal.filter((m) => fits(m, r)) }));
  const hits = found.filter((f) => f.moves.length > 0);
  if (hits.length === 0) return fail(whyNot(chess, readings[0]!, text));
  // In a steady order for the messages: by square, then queen, rook, bishop, knight.
  const rank = (m: Move) => `${m.from}${m.to}${'qrbn'.indexOf(m.promotion ?? 'q')}`;
  const moves = hits.flatMap((h) => h.moves).sort((a, b) => rank(a).localeCompare(rank(b)));
  // A pawn reaching the last rank: the person says what it becomes (no silent queen).
  if (moves.every((m) => m.promotion) && !hits.some((h) => h.reading.promotion)) {
    return fail(`Say what the pawn becomes: ${orList(moves.map((m) => m.san.replace(/[+#]$/, '')))}`);
  }
  if (moves.length > 1) {
    const sans = moves.map((m) => m.san);
    // Only a lowercase b can be read two ways (bishop or b-pawn): say how to pick the bishop.
    const caseHint = hits.length > 1 ? ': a capital B means the bishop' : '';
    return fail(`Which one? ${orList(sans)}${caseHint}`);
  }
  const move = moves[0]!;
  return { ok: true, uci: uciOf(move), san: move.san };
}

/**
 * The ways to read `s` (x, =, - already gone): a capital letter is a piece; of the lowercase ones,
 * n, r, q, k and p are pieces too (people type "nf3"), while b is a bishop or the b-file: both are
 * tried, and only one may fit the position.
 */
function readingsOf(s: string): Reading[] {
  const first = s.charAt(0);
  const out: Reading[] = [];
  const add = (piece: PieceSymbol | null, rest: string) => {
    const m = /^([a-h])?([1-8])?([a-h][1-8])([nbrq])?$/.exec(rest.toLowerCase());
    if (!m) return;
    const [, fromFile, fromRank, to, promotion] = m;
    // With a whole from-square and no piece letter it is a from-to move (e2e4, g1f3): any piece.
    const any = piece === 'p' && !/^[pP]/.test(s) && fromFile && fromRank;
    out.push({
      piece: any ? null : piece, to: to!,
      ...(fromFile ? { fromFile } : {}), ...(fromRank ? { fromRank } : {}),
      ...(promotion ? { promotion: promotion as PieceSymbol } : {}),
    });
  };
  if (/^[NBRQKP]$/.test(first)) add(first.toLowerCase() as PieceSymbol, s.slice(1));
  else if (/^[nrqkp]$/.test(first)) add(first as PieceSymbol, s.slice(1));
  else {
    if (first === 'b') add('b', s.slice(1));
    add('p', s);
  }
  return out;
}

function fits(m: Move, r: Reading): boolean {
  return (r.piece === null || m.piece === r.piece) && m.to === r.to
    && (!r.fromFile || m.from.charAt(0) === r.fromFile) && (!r.fromRank || m.from.charAt(1) === r.fromRank)
    && (!r.promotion || m.promotion === r.promotion);
}

/** Why no legal move fits the reading: the words a person can act on. */
function whyNot(chess: Chess, r: Reading, text: string): string {
  const check = chess.inCheck() ? ' (your king is in check)' : '';
  if (r.piece === null) {
    const from = `${r.fromFile}${r.fromRank}`;
    const piece = chess.get(from as Square);
    if (!piece || piece.color !== chess.turn()) return `You have no piece on ${from}`;
    return `The ${NAMES[piece.type]} on ${from} cannot go to ${r.to}${r.promotion ? ` and become a ${NAMES[r.promotion]}` : ''}${check}`;
  }
  const ours = chess.moves({ verbose: true }).filter((m) => m.piece === r.piece && m.to === r.to);
  if (ours.length > 0 && r.promotion) return `${text.trim()} is not a legal move here`;
  if (ours.length > 0) return `No ${NAMES[r.piece]} on that ${r.fromFile && r.fromRank ? 'square' : r.fromFile ? 'file' : 'rank'} can go to ${r.to}`;
  return `No ${NAMES[r.piece]} of yours can go to ${r.to}${check}`;
}

/** "a", "a or b", "a, b or c". */
function orList(items: string[]): string {
  const unique = [...new Set(items)];
  return unique.length <= 1 ? (unique[0] ?? '') : `${unique.slice(0, -1).join(', ')} or ${unique[unique.length - 1]}`;
}
