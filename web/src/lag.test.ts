// Lag on the pages: each player's last lag in the live view, the signal bars' thresholds, each
// move's lag in a stored game, each side's summary.
import { describe, expect, test } from '@jest/globals';
import type { Clock, ServerMsg } from '@gambit/protocol';
import { emptyView, reduce, START_FEN } from './game.js';
import { connectionBars, lagAt, lagSummary, lagText } from './lag.js';

describe('lag on the pages', () => {
  test('signal bars: 4 under 150 ms, 3 under 300, 2 under 500, then 1', () => {
    expect([0, 149, 150, 299, 300, 499, 500, 2_000].map(connectionBars)).toEqual([4, 4, 3, 3, 2, 2, 1, 1]);
  });

  test('each move\'s lag and compensation; nothing at the start or in a record without them', () => {
    const game = { uci: ['e2e4', 'e7e5', 'g1f3'], lagHistory: [300, 40, 2_000], compHistory: [300, 40, 390] };
    expect(lagAt(game, 0)).toBeNull();
    expect(lagAt(game, 1)).toEqual({ lag: 300, comp: 300 });
    expect(lagAt(game, 3)).toEqual({ lag: 2_000, comp: 390 });
    expect(lagAt({ uci: game.uci }, 2)).toBeNull();
  });

  test('per side: mean lag and the time given back', () => {
    const game = { uci: ['e2e4', 'e7e5', 'g1f3'], lagHistory: [300, 40, 2_000], compHistory: [300, 40, 390] };
    expect(lagSummary(game)).toEqual({ white: { moves: 2, meanLag: 1_150, totalComp: 690 }, black: { moves: 1, meanLag: 40, totalComp: 40 } });
    expect(lagSummary({ uci: [] })).toBeNull();
    expect([lagText(180), lagText(1_234)]).toEqual(['180 ms', '1.2 s']);
  });
});

test('the live view keeps each player\'s last lag, from moves and snapshots, afresh each game', () => {
  const clock: Clock = { white: 60_000, black: 60_000, running: 'white', at: 0 };
  const seat = (playerId: string) => ({ playerId, name: playerId, connected: true });
  const moved = (seq: number, ply: number, uci: string, lag?: number): ServerMsg => ({
    t: 'moved', room: 'ABCDEFGH', seq, ply, uci, san: uci, fen: START_FEN, clock, check: false, kind: 'move', ...(lag === undefined ? {} : { lag }),
  });
  const msgs: ServerMsg[] = [
    { t: 'joined', room: 'ABCDEFGH', color: 'black' },
    { t: 'started', room: 'ABCDEFGH', seq: 1, white: seat('pw'), black: seat('pb'), fen: START_FEN, clock },
    moved(2, 1, 'e2e4', 320), moved(3, 2, 'e7e5', 40), moved(4, 3, 'g1f3'), // a server without lag says nothing: kept
  ];
  let v = msgs.reduce((acc, m) => reduce(acc, m, 0), emptyView('pb'));
  expect(v.lag).toEqual({ white: 320, black: 40 });
  v = reduce(v, { t: 'state', room: 'ABCDEFGH', seq: 5, status: 'active', white: seat('pw'), black: seat('pb'), fen: START_FEN, moves: [], clock, tc: { initialMs: 60_000, incrementMs: 0 }, lag: { white: 90 } }, 0);
  expect(v.lag).toEqual({ white: 90 });
  v = reduce(v, { t: 'started', room: 'ABCDEFGH', seq: 6, white: seat('pb'), black: seat('pw'), fen: START_FEN, clock }, 0);
  expect(v.lag).toEqual({});
});
