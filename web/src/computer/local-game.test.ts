// The game against the computer as the browser keeps it: moves, clocks, every end, the PGN, storage.
import { describe, expect, test } from '@jest/globals';
import {
  canWinOnTime, clocksAt, computerToMove, flagAt, flagged, humanToMove, loadGame, newComputerGame, pgnOf, play, resign,
  saveGame, settle, STORAGE_KEY, type ComputerGame,
} from './local-game.js';

const TC = { initialMs: 60_000, incrementMs: 2_000 };
const fresh = (human: 'white' | 'black' = 'white', tc = TC) => newComputerGame({ level: 1, human, humanName: 'Ann', tc }, 1_000);

/** Plays `moves` one after another, `step` ms apart from `t0`; fails on an illegal one. */
function playAll(g: ComputerGame, moves: string[], t0: number, step = 1_000): ComputerGame {
  let t = t0;
  for (const m of moves) {
    const next = play(g, m, t);
    if (!next) throw new Error(`illegal ${m}`);
    g = next;
    t += step;
  }
  return g;
}

class MemoryStorage {
  map = new Map<string, string>();
  getItem(k: string) { return this.map.get(k) ?? null; }
  setItem(k: string, v: string) { this.map.set(k, v); }
  removeItem(k: string) { this.map.delete(k); }
}

describe('the game against the computer', () => {
  test('a new game: both clocks full and still, White to move', () => {
    const g = fresh();
    expect(g.clock).toEqual({ white: 60_000, black: 60_000, running: null, at: 1_000 });
    expect(humanToMove(g)).toBe(true);
    expect(computerToMove(fresh('black'))).toBe(true);
    expect(clocksAt(g, 500_000)).toEqual({ white: 60_000, black: 60_000 });
    expect(flagAt(g)).toBeNull();
  });

  test('the clocks start once both sides have moved; then the mover stops, gets the increment, and the other runs', () => {
    let g = play(fresh(), 'e2e4', 10_000)!;
    expect(g.clock).toEqual({ white: 60_000, black: 60_000, running: null, at: 10_000 }); // first moves are free
    g = play(g, 'e7e5', 30_000)!;
    expect(g.clock).toEqual({ white: 60_000, black: 60_000, running: 'white', at: 30_000 });
    expect(clocksAt(g, 35_000)).toEqual({ white: 55_000, black: 60_000 });
    g = play(g, 'g1f3', 40_000)!;
    expect(g.clock).toEqual({ white: 52_000, black: 60_000, running: 'black', at: 40_000 }); // 60 - 10 + 2
    expect(g.san).toEqual(['e4', 'e5', 'Nf3']);
    expect(g.moves).toEqual(['e2e4', 'e7e5', 'g1f3']);
    expect(flagAt(g)).toBe(100_000);
  });

  test('an illegal move, or any move after the end, is refused', () => {
    const g = fresh();
    expect(play(g, 'e2e5', 2_000)).toBeNull();
    expect(play(g, 'e7e5', 2_000)).toBeNull(); // not Black's turn
    const over = resign(g, 2_000);
    expect(play(over, 'e2e4', 3_000)).toBeNull();
  });

  test("checkmate ends the game at once (fool's mate)", () => {
    const g = playAll(fresh('black'), ['f2f3', 'e7e5', 'g2g4', 'd8h4'], 2_000);
    expect([g.status, g.result, g.reason, g.san.at(-1)]).toEqual(['ended', '0-1', 'checkmate', 'Qh4#']);
    expect(g.clock.running).toBeNull();
    expect(g.endedAt).toBe(5_000);
  });

  test('stalemate, threefold repetition and promotion', () => {
    // The quickest known stalemate (Sam Loyd, 10 moves).
    const stalemate = playAll(fresh(), ['e2e3', 'a7a5', 'd1h5', 'a8a6', 'h5a5', 'h7h5', 'h2h4', 'a6h6', 'a5c7', 'f7f6',
      'c7d7', 'e8f7', 'd7b7', 'd8d3', 'b7b8', 'd3h7', 'b8c8', 'f7g6', 'c8e6'], 2_000, 100);
    expect([stalemate.status, stalemate.result, stalemate.reason]).toEqual(['ended', '1/2-1/2', 'stalemate']);
    const knights = ['g1f3', 'g8f6', 'f3g1', 'f6g8'];
    const threefold = playAll(fresh(), [...knights, ...knights], 2_000, 100);
    expect([threefold.status, threefold.result, threefold.reason]).toEqual(['ended', '1/2-1/2', 'threefold_repetition']);
    const promoted = playAll(fresh(), ['h2h4', 'g7g5', 'h4g5', 'h7h6', 'g5h6', 'g8f6', 'h6h7', 'f6g8', 'h7g8q'], 2_000, 100);
    expect(promoted.san.at(-1)).toBe('hxg8=Q');
    expect(promoted.status).toBe('active');
  });

  test('a flag falls: the game ends on time at the moment it fell, whether seen between moves or at the next move', () => {
    let g = playAll(fresh(), ['e2e4', 'e7e5'], 2_000); // White's clock runs from 3 000
    expect(flagged(g, 62_999)).toBeNull();
    expect(flagged(g, 63_000)).toBe('white');
    const late = settle(g, 70_000);
    expect([late.status, late.result, late.reason, late.endedAt]).toEqual(['ended', '0-1', 'timeout', 63_000]);
    expect(late.clock).toEqual({ white: 0, black: 60_000, running: null, at: 63_000 });
    expect(settle(g, 10_000)).toBe(g); // nothing fell: the same game
    g = play(g, 'g1f3', 64_000)!; // the move came too late
    expect([g.status, g.reason, g.moves.length]).toEqual(['ended', 'timeout', 2]);
  });

  test('a flag against a lone king (or king and minor piece) draws', () => {
    expect(canWinOnTime('8/8/8/4k3/8/8/8/4K3 w - - 0 1', 'white')).toBe(false);
    expect(canWinOnTime('8/8/8/4k3/8/8/8/3NK3 w - - 0 1', 'white')).toBe(false);
    expect(canWinOnTime('8/8/8/4k3/8/8/8/3QK3 w - - 0 1', 'white')).toBe(true);
    expect(canWinOnTime('8/8/8/4k3/8/8/4p3/3NK3 w - - 0 1', 'white')).toBe(true); // a helpmate exists
    // Black flags with a queen against White's bare king: a draw, not a win for White.
    const g: ComputerGame = {
      ...fresh(), moves: [], san: [], fen: '8/8/8/4k3/8/8/8/q3K3 b - - 0 1',
      clock: { white: 5_000, black: 1_000, running: 'black', at: 10_000 },
    };
    const s = settle(g, 20_000);
    expect([s.result, s.reason]).toEqual(['1/2-1/2', 'timeout']);
  });

  test('resigning loses for the person, whichever colour', () => {
    const g = resign(playAll(fresh(), ['e2e4', 'e7e5', 'g1f3'], 2_000), 9_000);
    expect([g.status, g.result, g.reason, g.clock.running]).toEqual(['ended', '0-1', 'resign', null]);
    expect(resign(fresh('black'), 2_000).result).toBe('1-0');
  });

  test('the PGN: tags with both players, the time control and the end, then the moves and the result', () => {
    const g = playAll(newComputerGame({ level: 3, human: 'black', humanName: 'Ann "the Bold"', tc: TC }, Date.UTC(2026, 0, 2, 3, 4, 5)),
      ['f2f3', 'e7e5', 'g2g4', 'd8h4'], Date.UTC(2026, 0, 2, 3, 5));
    const pgn = pgnOf(g, 'https://gambit.example');
    expect(pgn).toContain('[Event "Gambit game against the computer"]');
    expect(pgn).toContain('[Site "https://gambit.example"]');
    expect(pgn).toContain('[Date "2026.01.02"]');
    expect(pgn).toContain('[UTCTime "03:04:05"]');
    expect(pgn).toContain('[White "Stockfish level 3"]');
    expect(pgn).toContain('[Black "Ann \\"the Bold\\""]');
    expect(pgn).toContain('[Result "0-1"]');
    expect(pgn).toContain('[TimeControl "60+2"]');
    expect(pgn).toContain('[Termination "Normal (checkmate)"]');
    expect(pgn.endsWith('\n\n1. f3 e5 2. g4 Qh4# 0-1\n')).toBe(true);
    const unfinished = pgnOf(fresh(), 'x');
    expect(unfinished).toContain('[Termination "Unterminated"]');
    expect(unfinished.endsWith('\n\n*\n')).toBe(true);
  });

  test('storage: saved, loaded back the same (SAN and FEN recomputed), removed; anything broken reads as no game', () => {
    const s = new MemoryStorage();
    const g = playAll(fresh(), ['e2e4', 'e7e5', 'g1f3'], 2_000);
    saveGame(s, g);
    expect(loadGame(s)).toEqual(g);
    const over = resign(g, 9_000);
    saveGame(s, over);
    expect(loadGame(s)).toEqual(over);
    saveGame(s, null);
    expect(loadGame(s)).toBeNull();

    const bad = (patch: Record<string, unknown>) => {
      s.setItem(STORAGE_KEY, JSON.stringify({ ...g, ...patch }));
      return loadGame(s);
    };
    expect(bad({ san: ['x'], fen: 'nonsense' })).toEqual(g); // only the moves count
    expect(bad({ moves: ['e2e4', 'e2e4'] })).toBeNull();
    expect(bad({ level: 9 })).toBeNull();
    expect(bad({ human: 'red' })).toBeNull();
    expect(bad({ version: 2 })).toBeNull();
    expect(bad({ tc: { initialMs: 0, incrementMs: 0 } })).toBeNull();
    expect(bad({ clock: { white: -1, black: 0, running: null, at: 0 } })).toBeNull();
    expect(bad({ status: 'ended', result: null, reason: null })).toBeNull();
    s.setItem(STORAGE_KEY, '{not json');
    expect(loadGame(s)).toBeNull();
    const throwing = { getItem: () => null, setItem: () => { throw new Error('quota'); }, removeItem: () => {} };
    expect(() => saveGame(throwing, g)).not.toThrow();
  });
});
