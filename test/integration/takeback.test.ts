// Moretime and takebacks over real sockets, the two players on different gateways: moretime shows
// on both clocks; a takeback asked and accepted sets both boards back, one declined changes
// nothing; from a spectator, without an offer, after the end, past the allowed offers, or in a
// flood: each its error code, and the game (and its seq) untouched.
import { describe, expect, test } from '@jest/globals';
import { useTwoGateways } from '../support/two-gateways.js';
import { play, playOnceAllowed, startGame } from '../support/player.js';

const t = useTwoGateways();

describe('moretime and takebacks', () => {
  test('moretime on both clocks; a takeback accepted sets both boards back; one declined changes nothing', async () => {
    const w = await t.connect('wen');
    const b = await t.connect('bo', t.second);
    const room = await startGame(w, b);
    await play(room, w, b, ['e2e4', 'e7e5', 'g1f3']);
    b.send({ t: 'moretime', room });
    const [mw, mb] = await Promise.all([w.next('moretime'), b.next('moretime')]);
    expect(mw).toEqual(mb);
    expect((mw.clock as { white: number }).white).toBeGreaterThan(60_000); // 60 s game: White got 15 s more

    w.send({ t: 'takeback', room });
    await b.next('takeback_offered');
    b.send({ t: 'takeback', room, action: 'decline' });
    await w.next('takeback_declined');
    w.send({ t: 'takeback', room });
    await b.next('takeback_offered', (m) => m.by === 'white');
    b.send({ t: 'takeback', room, action: 'accept' });
    const [tw, tb] = await Promise.all([w.next('taken_back'), b.next('taken_back')]);
    expect(tw).toEqual(tb);
    expect(tw).toMatchObject({ by: 'white', plies: 1, moves: ['e2e4', 'e7e5'], san: ['e4', 'e5'] });
    // White moves again from there: ply 2, a different move.
    await play(room, w, b, ['b1c3'], 2);
    const seen = await b.ask({ t: 'watch', room });
    expect(seen).toMatchObject({ moves: ['e2e4', 'e7e5', 'b1c3'] });
  });

  test('refused: a spectator, no offer, past three offers, after the end, a flood; nothing changes', async () => {
    const w = await t.connect('wim');
    const b = await t.connect('bea', t.second);
    const room = await startGame(w, b);
    const spy = await t.connect('spy');
    expect(await spy.ask({ t: 'watch', room })).toMatchObject({ t: 'state' });
    expect(await spy.ask({ t: 'takeback', room })).toMatchObject({ t: 'error', code: 'not_a_player' });
    expect(await spy.ask({ t: 'moretime', room })).toMatchObject({ t: 'error', code: 'not_a_player' });
    expect(await w.ask({ t: 'takeback', room })).toMatchObject({ t: 'error', code: 'bad_request' }); // no move yet
    await play(room, w, b, ['d2d4']);
    expect(await b.ask({ t: 'takeback', room, action: 'accept' })).toMatchObject({ t: 'error', code: 'no_offer' });
    for (let i = 0; i < 3; i++) {
      w.send({ t: 'takeback', room });
      await b.next('takeback_offered');
      b.send({ t: 'takeback', room, action: 'decline' });
      await w.next('takeback_declined');
    }
    expect(await w.ask({ t: 'takeback', room })).toMatchObject({ t: 'error', code: 'too_many_takebacks' });
    // A flood of moretime from black: cut by the socket's rate limit, the game goes on.
    for (let i = 0; i < 50; i++) b.send({ t: 'moretime', room });
    expect(await b.next('error')).toMatchObject({ code: 'rate_limited' });
    await w.next('moretime'); // some got through before the limit: each just more time for White
    await playOnceAllowed(room, w, b, 'd7d5', 1);
    w.send({ t: 'resign', room });
    const ended = await b.next('ended');
    expect(await w.ask({ t: 'takeback', room })).toMatchObject({ t: 'error', code: 'game_over' });
    expect(await w.ask({ t: 'moretime', room })).toMatchObject({ t: 'error', code: 'game_over' });
    const after = await spy.ask({ t: 'watch', room });
    expect(after).toMatchObject({ status: 'ended', moves: ['d2d4', 'd7d5'], seq: ended.seq, result: '0-1' });
  });
});
