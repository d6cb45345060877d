// Typed moves into UCI: the forms people type (SAN loose and strict, from-to squares, castling with
// letters or zeros) and the words for what is not a legal move, ambiguous, or lacks a promotion.
import { describe, expect, test } from '@jest/globals';
import { Chess } from 'chess.js';
import { START_FEN } from './game.js';
import { readTypedMove } from './keyboard-move.js';

/** The position after `sans` from the start. */
function after(...sans: string[]): string {
  const c = new Chess();
  for (const s of sans) c.move(s);
  return c.fen();
}

const uci = (fen: string, typed: string) => {
  const r = readTypedMove(fen, typed);
  return r.ok ? r.uci : `error: ${r.error}`;
};
const error = (fen: string, typed: string) => {
  const r = readTypedMove(fen, typed);
  return r.ok ? `played ${r.uci}` : r.error;
};

// White can castle both ways, take on d5 with a pawn or a knight, and push a pawn to promote.
const OPEN = '4k3/1P6/8/3p4/4P3/2N5/8/R3K2R w KQ - 0 1';

describe('typed moves', () => {
  test('SAN as written, and the loose forms people type', () => {
    expect(uci(START_FEN, 'e4')).toBe('e2e4');
    expect(uci(START_FEN, 'Nf3')).toBe('g1f3');
    expect(uci(START_FEN, 'nf3')).toBe('g1f3'); // lowercase piece letter that is not a file
    expect(uci(START_FEN, 'NF3')).toBe('g1f3');
    expect(uci(START_FEN, ' E4 ')).toBe('e2e4');
    expect(uci(START_FEN, 'Nf3+')).toBe('g1f3'); // a wrong check sign is ignored
    expect(uci(START_FEN, 'e4!?')).toBe('e2e4');
    expect(uci(START_FEN, 'Ng1-f3')).toBe('g1f3');
    expect(uci(after('e4', 'd5'), 'exd5')).toBe('e4d5');
    expect(uci(after('e4', 'd5'), 'ed5')).toBe('e4d5');
    expect(uci(after('e4', 'd5'), 'e4xd5')).toBe('e4d5');
  });

  test('from-to squares (UCI), any piece; with a promotion letter', () => {
    expect(uci(START_FEN, 'e2e4')).toBe('e2e4');
    expect(uci(START_FEN, 'g1f3')).toBe('g1f3');
    expect(uci(START_FEN, 'e2-e4')).toBe('e2e4');
    expect(uci(START_FEN, 'e2 e4')).toBe('e2e4');
    expect(uci(OPEN, 'b7b8q')).toBe('b7b8q');
    expect(uci(OPEN, 'b7b8N')).toBe('b7b8n');
    expect(uci(OPEN, 'e1g1')).toBe('e1g1'); // castling as the king's move
  });

  test('castling with letters or zeros, either case, with or without dashes', () => {
    for (const t of ['O-O', 'o-o', '0-0', 'OO', '00', 'O-O+']) expect(uci(OPEN, t)).toBe('e1g1');
    for (const t of ['O-O-O', 'o-o-o', '0-0-0', 'OOO']) expect(uci(OPEN, t)).toBe('e1c1');
    expect(error(START_FEN, 'O-O')).toBe('Castling kingside is not allowed here');
  });

  test('promotions: e8=Q, e8Q, e8q, b8=n; without the piece the person is asked', () => {
    expect(uci(OPEN, 'b8=Q')).toBe('b7b8q');
    expect(uci(OPEN, 'b8Q')).toBe('b7b8q');
    expect(uci(OPEN, 'b8q')).toBe('b7b8q');
    expect(uci(OPEN, 'b8=n')).toBe('b7b8n');
    expect(uci(OPEN, 'b8=Q+')).toBe('b7b8q');
    expect(error(OPEN, 'b8')).toBe('Say what the pawn becomes: b8=Q, b8=R, b8=B or b8=N');
    expect(error(OPEN, 'b7b8')).toBe('Say what the pawn becomes: b8=Q, b8=R, b8=B or b8=N');
  });

  test('disambiguation: Nbd2 and N1d2 pick a knight; plain Nd2 asks which', () => {
    const fen = after('Nf3', 'Nf6', 'd3', 'd6', 'Nc3', 'Nc6', 'Nb1', 'Nb8'); // knights on b1 and f3, d2 free
    expect(uci(fen, 'Nbd2')).toBe('b1d2');
    expect(uci(fen, 'Nfd2')).toBe('f3d2');
    expect(uci(fen, 'N1d2')).toBe('b1d2');
    expect(uci(fen, 'Nb1d2')).toBe('b1d2');
    expect(error(fen, 'Nd2')).toBe('Which one? Nbd2 or Nfd2');
    expect(error(fen, 'Ned2')).toBe('No knight on that file can go to d2');
  });

  test('a lowercase b: the bishop or the b-pawn, whichever fits; both fitting is asked', () => {
    expect(uci(after('e4', 'e5'), 'bc4')).toBe('f1c4'); // no b-pawn can reach c4
    expect(uci(after('e4', 'e5'), 'b4')).toBe('b2b4');
    expect(uci(after('e4', 'e5'), 'bb5')).toBe('f1b5'); // a pawn from b2 cannot reach b5
    const twoWays = '4k3/8/1B6/2p5/1P6/8/8/4K3 w - - 0 1'; // bishop b6 and pawn b4 both take c5
    expect(error(twoWays, 'bxc5')).toBe('Which one? bxc5 or Bxc5: a capital B means the bishop');
    expect(uci(twoWays, 'Bxc5')).toBe('b6c5');
    expect(uci(twoWays, 'b4c5')).toBe('b4c5');
  });

  test('what is not a move, or not a legal one, is said in words', () => {
    expect(error(START_FEN, '')).toBe('Nothing typed: type a move like e4, Nf3, exd5, O-O or e7e8q');
    expect(error(START_FEN, 'hello')).toBe('“hello” is not a move: type a move like e4, Nf3, exd5, O-O or e7e8q');
    expect(error(START_FEN, 'e5')).toBe('No pawn of yours can go to e5');
    expect(error(START_FEN, 'Nf4')).toBe('No knight of yours can go to f4');
    expect(error(START_FEN, 'e3e4')).toBe('You have no piece on e3');
    expect(error(START_FEN, 'e7e5')).toBe('You have no piece on e7'); // the opponent's
    expect(error(START_FEN, 'e2e5')).toBe('The pawn on e2 cannot go to e5');
    expect(error(START_FEN, 'e4q')).toBe('e4q is not a legal move here');
    expect(error('not a fen', 'e4')).toBe('The position is not known yet');
    // In check, the reason most moves are refused is said.
    const checked = after('e4', 'e5', 'Qh5', 'Nc6', 'Qxf7+');
    expect(error(checked, 'Nf6')).toBe('No knight of yours can go to f6 (your king is in check)');
    expect(uci(checked, 'Kxf7')).toBe('e8f7');
  });

  test('the SAN of the move comes back with it', () => {
    expect(readTypedMove(after('e4', 'd5'), 'e4d5')).toEqual({ ok: true, uci: 'e4d5', san: 'exd5' });
  });
});
