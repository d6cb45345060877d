// Whole games over real WebSockets through gateway, Redis Streams, engine and finalizer to dynalite.
import { afterAll, afterEach, beforeAll, describe, expect, test } from '@jest/globals';
import { Chess } from 'chess.js';
import { startStack, type Stack } from '../support/stack.js';
import { TestPlayer, play, startGame, storedGame } from '../support/player.js';

let stack: Stack;
let players: TestPlayer[] = [];
beforeAll(async () => { stack = await startStack({ engines: 2 }); });
afterEach(() => { players.forEach((p) => p.close()); players = []; });
afterAll(async () => { await stack?.stop(); });

async function pair(tc?: { initialMs: number; incrementMs: number }) {
  const w = await TestPlayer.connect(stack.httpUrl, 'alice');
  const b = await TestPlayer.connect(stack.httpUrl, 'bob');
  players.push(w, b);
  const room = await startGame(w, b, tc);
  return { w, b, room };
}

/** The stored game, through the gateway's proxy of the finalizer's read API, once it is there. */
const stored = (gameId: string) => storedGame(stack.httpUrl, gameId, 10_000);

async function gameIdOf(room: string): Promise<string> {
  const { Redis } = await import('ioredis');
  const r = new Redis(stack.redisUrl);
  try {
    const s = await r.hget(`${stack.keyPrefix}:room:${room}`, 's');
    return (JSON.parse(s!) as { gameId: string }).gameId;
  } finally {
    r.disconnect();
  }
}

describe('whole games', () => {
  test('checkmate: both see the result; the game and its PGN are stored', async () => {
    const { w, b, room } = await pair();
    await play(room, w, b, ['f2f3', 'e7e5', 'g2g4', 'd8h4']);
    const [ew, eb] = await Promise.all([w.next('ended'), b.next('ended')]);
    expect(ew).toMatchObject({ room, result: '0-1', reason: 'checkmate' });
    expect(eb.seq).toBe(ew.seq);
    const game = await stored(await gameIdOf(room));
    expect(game).toMatchObject({ room, result: '0-1', reason: 'checkmate' });
    expect(String(game.pgn)).toContain('2. g4 Qh4# 0-1');
    expect(game.san).toEqual(['f3', 'e5', 'g4', 'Qh4#']);
    // Every ply's FEN, kept by the engines in memory (the room in Redis holds only the last one).
    const chess = new Chess();
    expect(game.fens).toEqual([chess.fen(), ...['f3', 'e5', 'g4', 'Qh4#'].map((san) => (chess.move(san), chess.fen()))]);
  });

  test('resign', async () => {
    const { w, b, room } = await pair();
    await play(room, w, b, ['e2e4', 'e7e5']);
    w.send({ t: 'resign', room });
    expect(await b.next('ended')).toMatchObject({ result: '0-1', reason: 'resign' });
    const game = await stored(await gameIdOf(room));
    expect(game).toMatchObject({ result: '0-1', reason: 'resign' });
    expect(game.fens).toHaveLength(3);
  });

  test('draw by agreement, after a declined offer', async () => {
    const { w, b, room } = await pair();
    w.send({ t: 'draw', room, action: 'offer' });
    expect(await b.next('draw_offered')).toMatchObject({ by: 'white' });
    b.send({ t: 'draw', room, action: 'decline' });
    await w.next('draw_declined');
    b.send({ t: 'draw', room, action: 'offer' });
    await w.next('draw_offered');
    w.send({ t: 'draw', room, action: 'accept' });
    expect(await b.next('ended')).toMatchObject({ result: '1/2-1/2', reason: 'agreement' });
  });

  test('timeout with nobody sending anything', async () => {
    // Both move once (a flag before that aborts the game: the first-move rule); then White's clock runs out.
    const { w, b, room } = await pair({ initialMs: 2_000, incrementMs: 0 });
    await play(room, w, b, ['e2e4', 'e7e5']);
    const ended = await b.next('ended', () => true, 10_000);
    expect(ended).toMatchObject({ result: '0-1', reason: 'timeout' });
    expect(await w.next('ended')).toMatchObject({ reason: 'timeout' });
    expect(await stored(await gameIdOf(room))).toMatchObject({ reason: 'timeout' });
  });

  test('stalemate', async () => {
    const { w, b, room } = await pair();
    await play(room, w, b, ['e2e3', 'a7a5', 'd1h5', 'a8a6', 'h5a5', 'h7h5', 'h2h4', 'a6h6', 'a5c7', 'f7f6', 'c7d7', 'e8f7', 'd7b7', 'd8d3', 'b7b8', 'd3h7', 'b8c8', 'f7g6', 'c8e6']);
    expect(await b.next('ended')).toMatchObject({ result: '1/2-1/2', reason: 'stalemate' });
  });

  test('abort before both sides moved: no result', async () => {
    const { w, b, room } = await pair();
    await play(room, w, b, ['e2e4']);
    b.send({ t: 'abort', room });
    expect(await w.next('ended')).toMatchObject({ result: null, reason: 'aborted' });
  });

  test('a watcher gets the state, then every event', async () => {
    const { w, b, room } = await pair();
    const watcher = await TestPlayer.connect(stack.httpUrl, 'carol');
    players.push(watcher);
    const state = await watcher.ask({ t: 'watch', room });
    expect(state).toMatchObject({ t: 'state', status: 'active', white: { name: 'alice' }, black: { name: 'bob' } });
    await play(room, w, b, ['d2d4']);
    expect(await watcher.next('moved')).toMatchObject({ san: 'd4', seq: (state.seq as number) + 1 });
  });

  test('ping answers pong with the server time', async () => {
    const p = await TestPlayer.connect(stack.httpUrl, 'pinger');
    players.push(p);
    const pong = await p.ask({ t: 'ping' });
    expect(pong.t).toBe('pong');
    expect(Math.abs(Number(pong.serverTime) - Date.now())).toBeLessThan(5_000);
  });
});
