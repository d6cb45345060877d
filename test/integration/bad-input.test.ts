// Hostile and broken input over a real socket: each gets its error or close code, and the game
// and the other players go on as if nothing happened.
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { startStack, type Stack } from '../support/stack.js';
import { TestPlayer, play, startGame } from '../support/player.js';

let stack: Stack;
let w: TestPlayer;
let b: TestPlayer;
let room: string;
const open: TestPlayer[] = [];

beforeAll(async () => {
  stack = await startStack({ gateway: { HELLO_TIMEOUT_MS: '300' } });
  w = await TestPlayer.connect(stack.httpUrl, 'alice');
  b = await TestPlayer.connect(stack.httpUrl, 'bob');
  open.push(w, b);
  room = await startGame(w, b);
  await play(room, w, b, ['e2e4', 'e7e5']);
});
afterAll(async () => { open.forEach((p) => p.close()); await stack?.stop(); });

async function intruder(): Promise<TestPlayer> {
  const p = await TestPlayer.connect(stack.httpUrl, 'mallory');
  open.push(p);
  return p;
}

/** After each bad input, the game still takes the next legal move for both players. */
async function gameStillWorks(uci: string, ply: number) {
  await play(room, w, b, [uci], ply);
}

describe('bad frames get bad_request and change nothing', () => {
  test.each([
    ['not JSON', '{oops', 'frame is not JSON'],
    ['not an object', '[1,2]', 'JSON object'],
    ['unknown type', JSON.stringify({ t: 'teleport', id: 'x1' }), 'unknown message type'],
    ['missing field', JSON.stringify({ t: 'move', room: 'ABCDEFGH', ply: 0, id: 'x2' }), 'uci'],
    ['wrong type', JSON.stringify({ t: 'move', room: 'ABCDEFGH', uci: 'e2e4', ply: '0', id: 'x3' }), 'ply'],
    ['bad room code', JSON.stringify({ t: 'join', room: 'lower0I1', id: 'x4' }), 'room'],
  ])('%s', async (_name, frame, message) => {
    const m = await intruder();
    m.send(frame);
    const err = await m.next('error');
    expect(err.code).toBe('bad_request');
    expect(String(err.message)).toContain(message);
  });

  test('the game is unaffected', async () => {
    await gameStillWorks('g1f3', 2);
  });
});

describe('rules violations from a real socket', () => {
  test('a move in someone else\'s game: not_a_player', async () => {
    const m = await intruder();
    expect(await m.ask({ t: 'move', room, uci: 'b8c6', ply: 3 })).toMatchObject({ t: 'error', code: 'not_a_player' });
  });
  test('stale ply, wrong turn, illegal move, unknown room', async () => {
    expect(await b.ask({ t: 'move', room, uci: 'b8c6', ply: 1 })).toMatchObject({ code: 'stale_ply' });
    expect(await w.ask({ t: 'move', room, uci: 'd2d4', ply: 3 })).toMatchObject({ code: 'not_your_turn' });
    expect(await b.ask({ t: 'move', room, uci: 'e8e6', ply: 3 })).toMatchObject({ code: 'illegal_move' });
    expect(await b.ask({ t: 'join', room: 'ZZZZZZZZ' })).toMatchObject({ code: 'room_not_found' });
    const m = await intruder();
    expect(await m.ask({ t: 'join', room })).toMatchObject({ code: 'room_full' });
    await gameStillWorks('b8c6', 3);
  });
});

describe('transport limits', () => {
  test('a 5,000-byte frame: too_large, then close 1009', async () => {
    const m = await intruder();
    m.send(JSON.stringify({ t: 'ping', pad: 'x'.repeat(5_000) }));
    expect(await m.next('error')).toMatchObject({ code: 'too_large' });
    expect((await m.closed).code).toBe(1009);
  });

  test('a flood: rate_limited, then close 4429; the others are unaffected', async () => {
    const m = await intruder();
    for (let i = 0; i < 200; i++) m.send({ t: 'ping' });
    expect(await m.next('error')).toMatchObject({ code: 'rate_limited' });
    expect((await m.closed).code).toBe(4429);
    await gameStillWorks('f1c4', 4);
  });

  test('no hello in time: close 4408', async () => {
    const m = await TestPlayer.open(stack.wsUrl);
    open.push(m);
    expect((await m.closed).code).toBe(4408);
  });

  test('a forged token: unauthorized, then close 4401', async () => {
    const m = await TestPlayer.open(stack.wsUrl);
    open.push(m);
    const [h, p, s] = w.token.split('.');
    m.send({ t: 'hello', token: `${h}.${p}.${s!.slice(0, -4)}AAAA`, id: 'h1' });
    expect(await m.next('error')).toMatchObject({ code: 'unauthorized', id: 'h1' });
    expect((await m.closed).code).toBe(4401);
  });

  test('a hello without a token: unauthorized, then close 4401', async () => {
    const m = await TestPlayer.open(stack.wsUrl);
    open.push(m);
    m.send({ t: 'hello', id: 'h2' });
    expect(await m.next('error')).toMatchObject({ code: 'unauthorized', id: 'h2' });
    expect((await m.closed).code).toBe(4401);
  });

  test('a time control without starting time is refused', async () => {
    const m = await intruder();
    expect(await m.ask({ t: 'create', tc: { initialMs: 0, incrementMs: 5_000 } })).toMatchObject({ code: 'bad_request' });
  });

  test('commands before hello are refused', async () => {
    const m = await TestPlayer.open(stack.wsUrl);
    open.push(m);
    m.send({ t: 'create', tc: { initialMs: 60_000, incrementMs: 0 }, id: 'c0' });
    expect(await m.next('error')).toMatchObject({ code: 'unauthorized', id: 'c0' });
  });
});

describe('after the end', () => {
  test('moves after the end: game_over; the result stands', async () => {
    w.send({ t: 'resign', room });
    await b.next('ended');
    expect(await b.ask({ t: 'move', room, uci: 'g8f6', ply: 5 })).toMatchObject({ code: 'game_over' });
    expect(await w.ask({ t: 'draw', room, action: 'offer' })).toMatchObject({ code: 'game_over' });
    const state = await (await intruder()).ask({ t: 'watch', room });
    expect(state).toMatchObject({ status: 'ended', result: '0-1', reason: 'resign' });
  });
});
