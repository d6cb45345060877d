import { describe, expect, test } from '@jest/globals';
import { Chess } from 'chess.js';
import { START_FEN } from './game.js';
import { clampPly, clocksAt, fensOf, keyStep, lastMoveAt, moveRows, plyFromHash, plyLabel, step, type ReplayGame } from './replay.js';

// Fool's mate, as the finalizer stores it (fens: one per ply plus the start).
const uci = ['f2f3', 'e7e5', 'g2g4', 'd8h4'];
const san = ['f3', 'e5', 'g4', 'Qh4#'];
function fensByChessJs(): string[] {
  const c = new Chess();
  return [START_FEN, ...uci.map((m) => (c.move({ from: m.slice(0, 2), to: m.slice(2, 4) }), c.fen()))];
}
const game: ReplayGame = {
  uci, san, fens: fensByChessJs(), tc: { initialMs: 300_000, incrementMs: 2_000 },
  clockHistory: [301_000, 299_500, 297_000, 290_000],
};

describe('replay', () => {
  test('stepping stays within the game', () => {
    expect(step(0, 'back', 4)).toBe(0);
    expect(step(0, 'forward', 4)).toBe(1);
    expect(step(4, 'forward', 4)).toBe(4);
    expect(step(2, 'first', 4)).toBe(0);
    expect(step(2, 'last', 4)).toBe(4);
    expect(clampPly(-3, 4)).toBe(0);
    expect(clampPly(9, 4)).toBe(4);
    expect(keyStep('ArrowLeft')).toBe('back');
    expect(keyStep('ArrowRight')).toBe('forward');
    expect(keyStep('Home')).toBe('first');
    expect(keyStep('a')).toBeNull();
  });

  test('the ply in the URL hash', () => {
    expect(plyFromHash('#2', 4)).toBe(2);
    expect(plyFromHash('#99', 4)).toBe(4);
    expect(plyFromHash('#0', 4)).toBe(0);
    expect(plyFromHash('', 4)).toBeNull();
    expect(plyFromHash('#x', 4)).toBeNull();
    expect(plyFromHash('#-1', 4)).toBeNull();
  });

  test('position and last move per ply; computed when the record has no fens', () => {
    const fens = fensOf(game);
    expect(fens[0]).toBe(START_FEN);
    expect(fens[4]).toBe('rnb1kbnr/pppp1ppp/8/4p3/6Pq/5P2/PPPPP2P/RNBQKBNR w KQkq - 1 3');
    expect(fensOf({ ...game, fens: undefined })).toEqual(fens);
    expect(fensOf({ ...game, fens: [START_FEN] })).toEqual(fens); // a partial list is not trusted
    expect(fensOf({ ...game, fens: undefined, uci: ['e2e4', 'e2e4'] })).toHaveLength(2); // stops at a move that does not replay
    expect(lastMoveAt(game, 0)).toBeNull();
    expect(lastMoveAt(game, 4)).toEqual({ from: 'd8', to: 'h4' });
  });

  test('clocks per ply: the mover\'s time after each ply, the other side unchanged', () => {
    expect(clocksAt(game, 0)).toEqual({ white: 300_000, black: 300_000 });
    expect(clocksAt(game, 1)).toEqual({ white: 301_000, black: 300_000 });
    expect(clocksAt(game, 2)).toEqual({ white: 301_000, black: 299_500 });
    expect(clocksAt(game, 4)).toEqual({ white: 297_000, black: 290_000 });
    expect(clocksAt({ ...game, clockHistory: undefined }, 4)).toEqual({ white: 300_000, black: 300_000 });
  });

  test('move rows and the label of the shown position', () => {
    expect(moveRows(san.slice(0, 3))).toEqual([
      { num: 1, white: { ply: 1, san: 'f3' }, black: { ply: 2, san: 'e5' } },
      { num: 2, white: { ply: 3, san: 'g4' }, black: null },
    ]);
    expect(plyLabel(san, 0)).toBe('Starting position');
    expect(plyLabel(san, 3)).toBe('After 2. g4');
    expect(plyLabel(san, 4)).toBe('After 2… Qh4#');
  });
});
