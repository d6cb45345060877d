// The rematch controls and the series score from the view model: a finished game, an offer each
// way, the next game (colours swapped, score carried), and servers without rematches.
import { describe, expect, test } from '@jest/globals';
import type { Clock, ServerMsg } from '@gambit/protocol';
import { emptyView, reduce, START_FEN, type GameView } from './game.js';
import { formatPoints, rematchStage, seriesPoints } from './rematch.js';

const clock: Clock = { white: 60_000, black: 60_000, running: 'white', at: 0 };
const A = { playerId: 'pa', name: 'alice', connected: true };
const B = { playerId: 'pb', name: 'bob', connected: true };
const R = 'ABCDEFGH';

const run = (msgs: ServerMsg[], v: GameView = emptyView()): GameView => msgs.reduce((acc, m) => reduce(acc, m, 1_000), v);

/** alice (White) lost the first game to bob. */
const firstGame: ServerMsg[] = [
  { t: 'welcome', playerId: 'pa', name: 'alice', serverTime: 0 },
  { t: 'created', room: R, color: 'white' },
  { t: 'started', room: R, seq: 1, white: A, black: B, fen: START_FEN, clock, series: { game: 1, score: {} } },
  { t: 'ended', room: R, seq: 2, result: '0-1', reason: 'resign', pgn: '1. e4 0-1', series: { game: 1, score: { pa: 0, pb: 1 } } },
];

describe('rematch in the view', () => {
  test('no score during the first game; after it, 0 and 1', () => {
    const playing = run(firstGame.slice(0, 3));
    expect(seriesPoints(playing, 'white')).toBeNull();
    expect(rematchStage(playing)).toBe('none');
    const over = run(firstGame);
    expect([seriesPoints(over, 'white'), seriesPoints(over, 'black')]).toEqual(['0', '1']);
    expect(rematchStage(over)).toBe('offer');
  });

  test('our offer, their offer, a decline, a player leaving', () => {
    const over = run(firstGame);
    expect(rematchStage(reduce(over, { t: 'rematch_offered', room: R, seq: 3, by: 'white' }, 0))).toBe('offered');
    const theirs = reduce(over, { t: 'rematch_offered', room: R, seq: 3, by: 'black' }, 0);
    expect(rematchStage(theirs)).toBe('answer');
    expect(rematchStage(reduce(theirs, { t: 'rematch_declined', room: R, seq: 4, by: 'white', reason: 'declined' }, 0))).toBe('offer');
    expect(rematchStage(reduce(theirs, { t: 'rematch_declined', room: R, seq: 4, by: 'black', reason: 'left' }, 0))).toBe('closed');
  });

  test('the next game: colours swapped, the finished game forgotten, the score kept', () => {
    const next = run([
      ...firstGame,
      { t: 'rematch_offered', room: R, seq: 3, by: 'black' },
      { t: 'started', room: R, seq: 4, white: B, black: A, fen: START_FEN, clock, series: { game: 2, score: { pa: 0, pb: 1 } } },
    ]);
    expect(next).toMatchObject({ color: 'black', status: 'active', result: null, reason: null, pgn: null, moves: [], rematchOffer: null });
    expect([seriesPoints(next, 'white'), seriesPoints(next, 'black')]).toEqual(['1', '0']);
    expect(rematchStage(next)).toBe('none');
  });

  test('a spectator gets no rematch controls; a server without series none either', () => {
    const watching = run([
      { t: 'welcome', playerId: 'px', name: 'carol', serverTime: 0 },
      { t: 'state', room: R, seq: 2, status: 'ended', white: A, black: B, fen: START_FEN, moves: [], clock, tc: { initialMs: 60_000, incrementMs: 0 }, result: '0-1', reason: 'resign', pgn: '', series: { game: 1, score: { pa: 0, pb: 1 } }, rematchOffer: 'white' },
    ], { ...emptyView(), room: R });
    expect(rematchStage(watching)).toBe('none');
    expect(watching.rematchOffer).toBe('white');
    const v1 = run([firstGame[0]!, firstGame[1]!, { ...firstGame[2]!, series: undefined } as ServerMsg, { t: 'ended', room: R, seq: 2, result: '1-0', reason: 'resign', pgn: '' }]);
    expect(rematchStage(v1)).toBe('none');
    expect(seriesPoints(v1, 'white')).toBeNull();
  });

  test('points as a chess score', () => {
    expect([0, 0.5, 1, 1.5, 12].map(formatPoints)).toEqual(['0', '½', '1', '1½', '12']);
  });
});

test('a room event this page does not know changes nothing', () => {
  const over = run(firstGame);
  expect(reduce(over, { t: 'from_the_future', room: R, seq: 3 } as unknown as ServerMsg, 0)).toBe(over);
});
