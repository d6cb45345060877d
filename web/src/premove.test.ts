// premove.ts: where a piece may be premoved (geometry only) and whether the premove is played.
import { expect, test } from '@jest/globals';
import { premoveTargets, premoveToPlay } from './premove.js';

const START = 'rnbqkbnr/pppppppp/8/8/8/8/PPPPPPPP/RNBQKBNR w KQkq - 0 1';
const AFTER_E4 = 'rnbqkbnr/pppppppp/8/8/4P3/8/PPPP1PPP/RNBQKBNR b KQkq - 0 1';

test("only the premover's own pieces have targets", () => {
  expect(premoveTargets(AFTER_E4, 'white', 'e7')).toEqual([]);
  expect(premoveTargets(AFTER_E4, 'white', 'e5')).toEqual([]);
  expect(premoveTargets(AFTER_E4, 'black', 'e7').sort()).toEqual(['d6', 'e5', 'e6', 'f6']);
});

test('lines through pieces count: a blocked bishop may be premoved along its diagonal', () => {
  const t = premoveTargets(AFTER_E4, 'white', 'f1');
  expect(t).toEqual(expect.arrayContaining(['e2', 'd3', 'c4', 'b5', 'a6', 'g2', 'h3']));
  expect(t).toHaveLength(7);
});

test('knights, and the king with both castlings from its square', () => {
  expect(premoveTargets(START, 'white', 'g1').sort()).toEqual(['e2', 'f3', 'h3']);
  expect(premoveTargets(AFTER_E4, 'white', 'e1').sort()).toEqual(['c1', 'd1', 'd2', 'e2', 'f1', 'f2', 'g1']);
});

test('a legal premove is played; one the new position forbids is dropped', () => {
  // White premoved Bc4; Black answers e5: still legal.
  const afterE5 = 'rnbqkbnr/pppp1ppp/8/4p3/4P3/8/PPPP1PPP/RNBQKBNR w KQkq - 0 2';
  expect(premoveToPlay(afterE5, 'f1', 'c4')).toBe('f1c4');
  // A pawn capture premoved on an empty square is not legal unless a piece came there.
  expect(premoveToPlay(afterE5, 'e4', 'd5')).toBeNull();
  const afterD5 = 'rnbqkbnr/ppp1pppp/8/3p4/4P3/8/PPPP1PPP/RNBQKBNR w KQkq - 0 2';
  expect(premoveToPlay(afterD5, 'e4', 'd5')).toBe('e4d5');
});

test('a premoved promotion becomes a queen unless chosen', () => {
  const fen = '8/4P3/8/8/8/8/k7/4K3 w - - 0 1';
  expect(premoveToPlay(fen, 'e7', 'e8')).toBe('e7e8q');
  expect(premoveToPlay(fen, 'e7', 'e8', 'n')).toBe('e7e8n');
  expect(premoveToPlay('not a fen', 'e7', 'e8')).toBeNull();
});
