// Moretime and takebacks through decide(), as the engine runs them: the opponent's clock grows; a
// takeback undoes one ply or two as the turn says, keeps each player's time, and is asked a few
// times a game at most; strangers, answers without an offer and games over get their errors.
import { describe, expect, test } from '@jest/globals';
import type { Decision } from './decide.js';
import { START_FEN } from './state.js';
import { B, Room, W, X } from './test-room.js';
import { MAX_TAKEBACK_OFFERS, MORETIME_MS } from './takeback.js';
import { remaining } from './clock.js';

const errorOf = (d: Decision) => (d.kind === 'reply' && d.replies[0]?.msg.t === 'error' ? d.replies[0].msg.code : null);
const tb = (r: Room, o: typeof W, action?: 'offer' | 'accept' | 'decline') => r.run({ t: 'takeback', origin: o, room: 'ABCDEFGH', action: action ?? 'offer' });

describe('moretime', () => {
  test('15 s more on the opponent\'s clock, its running time kept from where it ran', () => {
    const r = new Room().started();
    const started = r.now;
    r.now += 4_000; // White thinks 4 s
    r.run({ t: 'moretime', origin: B, room: 'ABCDEFGH' });
    expect(r.last()).toMatchObject({ t: 'moretime', color: 'white', clock: { white: 60_000 + MORETIME_MS, black: 60_000, running: 'white', at: started } });
    expect(remaining(r.state!.clock, 'white', r.now)).toBe(60_000 - 4_000 + MORETIME_MS);
    expect(errorOf(r.run({ t: 'moretime', origin: X, room: 'ABCDEFGH' }))).toBe('not_a_player');
  });
});

describe('takeback', () => {
  test('asked on the opponent\'s turn: one ply goes, the turn comes back, each keeps their time', () => {
    const r = new Room().started();
    r.play('e2e4', 'e7e5');
    r.now += 3_000;
    r.play('g1f3'); // White's move; Black to play
    tb(r, W);
    expect(r.last()).toMatchObject({ t: 'takeback_offered', by: 'white' });
    r.now += 2_000;
    tb(r, B, 'accept');
    expect(r.last()).toMatchObject({ t: 'taken_back', by: 'white', plies: 1, moves: ['e2e4', 'e7e5'], san: ['e4', 'e5'] });
    expect(r.state).toMatchObject({ moves: ['e2e4', 'e7e5'], clock: { running: 'white', at: r.now, black: 60_000 - 2_000 }, takebackOffer: null });
    expect(r.state!.fen).toBe('rnbqkbnr/pppp1ppp/8/4p3/4P3/8/PPPP1PPP/RNBQKBNR w KQkq - 0 2');
    r.play('d2d4'); // and the game goes on from there
  });

  test('asked after the reply came: two plies go; both asking is agreeing', () => {
    const r = new Room().started();
    r.play('e2e4', 'e7e5');
    tb(r, W); // White's turn: undo Black's e5 and White's e4
    tb(r, B); // Black asks too: agreed
    expect(r.last()).toMatchObject({ t: 'taken_back', by: 'white', plies: 2, moves: [], fen: START_FEN });
  });

  test('declined, or answered by a move; a few offers a game; nothing to take back; no offer; strangers; after the end', () => {
    const r = new Room().started();
    expect(errorOf(tb(r, W))).toBe('bad_request'); // no move yet
    r.play('e2e4');
    tb(r, W);
    expect(errorOf(tb(r, W))).toBe('already_offered');
    tb(r, B, 'decline');
    expect(r.last()).toMatchObject({ t: 'takeback_declined', by: 'black' });
    tb(r, W);
    r.play('e7e5'); // Black moves instead of answering: the offer is off
    expect(r.events.at(-2)).toMatchObject({ t: 'takeback_declined', by: 'black' });
    expect(r.state!.takebackOffer).toBeNull();
    tb(r, W); // the third
    tb(r, B, 'decline');
    expect(r.state!.takebackOffers).toEqual({ white: MAX_TAKEBACK_OFFERS, black: 0 });
    expect(errorOf(tb(r, W))).toBe('too_many_takebacks');
    expect(errorOf(tb(r, B, 'accept'))).toBe('no_offer');
    expect(errorOf(tb(r, X))).toBe('not_a_player');
    const seq = r.state!.seq;
    r.run({ t: 'resign', origin: B, room: 'ABCDEFGH' });
    expect(errorOf(tb(r, B))).toBe('game_over');
    expect(errorOf(r.run({ t: 'moretime', origin: W, room: 'ABCDEFGH' }))).toBe('game_over');
    expect(r.state!.seq).toBe(seq + 1); // only the `ended`
  });
});
