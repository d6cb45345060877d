import { describe, expect, test } from '@jest/globals';
import type { Clock, ServerMsg } from '@gambit/protocol';
import { canAbort, canMove, canTakeback, emptyView, lastMove, reduce, resultText, resultTitle, START_FEN, type GameView } from './game.js';

const clock: Clock = { white: 60_000, black: 60_000, running: 'white', at: 0 };
const W = { playerId: 'pw', name: 'alice', connected: true };
const B = { playerId: 'pb', name: 'bob', connected: true };
const AFTER_F3 = 'rnbqkbnr/pppppppp/8/8/8/5P2/PPPPP1PP/RNBQKBNR b KQkq - 0 1';

function run(msgs: ServerMsg[], v: GameView = emptyView()): GameView {
  return msgs.reduce((acc, m) => reduce(acc, m, 1_000), v);
}

const started: ServerMsg[] = [
  { t: 'welcome', playerId: 'pb', name: 'bob', serverTime: 0 },
  { t: 'joined', room: 'ABCDEFGH', color: 'black' },
  { t: 'started', room: 'ABCDEFGH', seq: 1, white: W, black: B, fen: START_FEN, clock },
];

describe('game view reducer', () => {
  test('join, start, a move: whose turn it is and what may be done', () => {
    let v = run(started);
    expect(v).toMatchObject({ room: 'ABCDEFGH', color: 'black', status: 'active', seq: 1 });
    expect(canMove(v)).toBe(false);
    v = reduce(v, { t: 'moved', room: 'ABCDEFGH', seq: 2, ply: 1, uci: 'f2f3', san: 'f3', fen: AFTER_F3, clock, check: false, kind: 'move' }, 0);
    expect(v.moves).toEqual(['f2f3']);
    expect(v.san).toEqual(['f3']);
    expect(canMove(v)).toBe(true);
    expect(canAbort(v)).toBe(true);
    expect(lastMove(v)).toEqual({ from: 'f2', to: 'f3' });
  });

  test('ignores old and foreign events, accepts a repeated seq only for state', () => {
    const v = run(started);
    const dup = { t: 'moved', room: 'ABCDEFGH', seq: 1, ply: 1, uci: 'f2f3', san: 'f3', fen: AFTER_F3, clock, check: false, kind: 'move' } as const;
    expect(reduce(v, dup, 0)).toBe(v);
    expect(reduce(v, { ...dup, room: 'ZZZZZZZZ', seq: 9 }, 0)).toBe(v);
    const state: ServerMsg = {
      t: 'state', room: 'ABCDEFGH', seq: 1, status: 'active', white: W, black: B, fen: AFTER_F3, moves: ['f2f3'],
      clock, tc: { initialMs: 60_000, incrementMs: 0 },
    };
    const fresh = reduce(v, state, 0);
    expect(fresh.san).toEqual(['f3']); // computed when the server sends no san
    expect(fresh.color).toBe('black');
  });

  test('presence keeps a grace deadline and ignores versions it has passed', () => {
    let v = run(started);
    v = reduce(v, { t: 'presence', room: 'ABCDEFGH', seq: 2, color: 'white', connected: false, reconnectVersion: 2, graceMs: 12_000 }, 5_000);
    expect(v.white).toMatchObject({ connected: false, graceUntil: 17_000 });
    v = reduce(v, { t: 'presence', room: 'ABCDEFGH', seq: 3, color: 'white', connected: true, reconnectVersion: 1 }, 6_000);
    expect(v.white?.connected).toBe(false);
    expect(v.seq).toBe(3);
  });

  test('draw offers and the end of the game', () => {
    let v = run(started);
    v = reduce(v, { t: 'draw_offered', room: 'ABCDEFGH', seq: 2, by: 'white' }, 0);
    expect(v.drawOffer).toBe('white');
    v = reduce(v, { t: 'draw_declined', room: 'ABCDEFGH', seq: 3, by: 'black' }, 0);
    expect(v.drawOffer).toBeNull();
    v = reduce(v, { t: 'ended', room: 'ABCDEFGH', seq: 4, result: '0-1', reason: 'checkmate', pgn: '1. f3 e5' }, 30_000);
    expect(v.status).toBe('ended');
    expect(v.clock).toEqual({ white: 30_000, black: 60_000, running: null, at: 30_000 }); // frozen when ended has no clock
    expect(resultText(v)).toBe('0-1 · checkmate');
    expect(resultTitle(v)).toBe('You won');
    expect(canMove(v)).toBe(false);
  });

  test('a takeback request: asked, answered, and the position it undid', () => {
    let v = run(started);
    const f3: ServerMsg = { t: 'moved', room: 'ABCDEFGH', seq: 2, ply: 1, uci: 'f2f3', san: 'f3', fen: AFTER_F3, clock, check: false, kind: 'move' };
    v = reduce(v, f3, 0);
    expect(canTakeback(v)).toBe(false); // black (us) has no move on the board yet
    v = reduce(v, { t: 'takeback_offered', room: 'ABCDEFGH', seq: 3, by: 'white' }, 0);
    expect(v.takebackOffer).toBe('white');
    const declined = reduce(v, { t: 'takeback_declined', room: 'ABCDEFGH', seq: 4, by: 'black' }, 0);
    expect(declined.takebackOffer).toBeNull();
    const undone = reduce(v, { t: 'taken_back', room: 'ABCDEFGH', seq: 4, by: 'white', plies: 1, moves: [], san: [], fen: START_FEN, clock }, 0);
    expect(undone).toMatchObject({ takebackOffer: null, moves: [], fen: START_FEN });
    const e6 = reduce(declined, { t: 'moved', room: 'ABCDEFGH', seq: 5, ply: 2, uci: 'e7e6', san: 'e6', fen: 'x w - - 0 2', clock, check: false, kind: 'move' }, 0);
    expect(canTakeback(e6)).toBe(true);
  });
});
