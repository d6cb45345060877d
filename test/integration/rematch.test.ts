// The room as a session of games, over real sockets through gateway, Redis Streams, engine and
// finalizer to dynalite: a rematch starts the next game in the same room with colours swapped,
// every game is its own record, and bad rematch frames get their error and change nothing.
import { afterAll, afterEach, beforeAll, describe, expect, test } from '@jest/globals';
import { Redis } from 'ioredis';
import { keys } from '@gambit/common';
import { startStack, type Stack } from '../support/stack.js';
import { TestPlayer, play, startGame } from '../support/player.js';
import { waitFor } from '../support/redis.js';

let stack: Stack;
let players: TestPlayer[] = [];
beforeAll(async () => { stack = await startStack(); });
afterEach(() => { players.forEach((p) => p.close()); players = []; });
afterAll(async () => { await stack?.stop(); });

const MATE = ['f2f3', 'e7e5', 'g2g4', 'd8h4']; // Black mates on ply 4

async function connect(name: string): Promise<TestPlayer> {
  const p = await TestPlayer.connect(stack.httpUrl, name);
  players.push(p);
  return p;
}

/** alice (White) and bob (Black) finish a game: bob mates. Returns the room and the `ended` seq. */
async function finishedGame(): Promise<{ w: TestPlayer; b: TestPlayer; room: string; seq: number }> {
  const w = await connect('alice');
  const b = await connect('bob');
  const room = await startGame(w, b);
  await play(room, w, b, MATE);
  const [ended] = await Promise.all([w.next('ended'), b.next('ended')]);
  return { w, b, room, seq: Number(ended.seq) };
}

/** When the room is due to expire (ms), or null while it may not (a game in play). */
async function expiryOf(room: string): Promise<number | null> {
  const r = new Redis(stack.redisUrl);
  try {
    const score = await r.zscore(keys(stack.keyPrefix).roomExpiries(keys(stack.keyPrefix).shardOf(room)), room);
    return score === null ? null : Number(score);
  } finally {
    r.disconnect();
  }
}

/** A player's finished games from the read API (through the gateway), once there are `count`. */
async function gamesOf(playerId: string, count: number): Promise<{ gameId: string; color: string; result: string }[]> {
  let games: { gameId: string; color: string; result: string }[] = [];
  await waitFor(async () => {
    const res = await fetch(`${stack.httpUrl}/api/players/${playerId}/games`);
    if (res.status === 200) games = ((await res.json()) as { games: typeof games }).games;
    return games.length >= count;
  }, 10_000, `${playerId} never had ${count} games stored`);
  return games;
}

describe('rematch', () => {
  test('two offers start the next game, colours swapped; a watcher sees it; both games are stored', async () => {
    const { w, b, room, seq } = await finishedGame();
    const firstExpiry = await expiryOf(room);
    expect(firstExpiry).not.toBeNull();
    const watcher = await connect('carol');
    expect(await watcher.ask({ t: 'watch', room })).toMatchObject({ status: 'ended', series: { game: 1, score: { [b.playerId]: 1, [w.playerId]: 0 } }, rematchOffer: null });

    w.send({ t: 'rematch', room });
    const offered = await b.next('rematch_offered');
    expect(offered).toMatchObject({ room, seq: seq + 1, by: 'white' });
    await watcher.next('rematch_offered');
    b.send({ t: 'rematch', room, action: 'accept' });
    const [sw, sb, sx] = await Promise.all([w.next('started'), b.next('started'), watcher.next('started')]);
    expect(sw).toMatchObject({
      room, seq: seq + 2, white: { playerId: b.playerId }, black: { playerId: w.playerId },
      clock: { white: 60_000, black: 60_000, running: 'white' }, series: { game: 2, score: { [b.playerId]: 1, [w.playerId]: 0 } },
    });
    expect(sb).toEqual(sw);
    expect(sx).toEqual(sw);
    expect(await expiryOf(room)).toBeNull(); // a game in play: the room does not expire

    // The second game: bob is White now; alice mates this time. Its moves start from ply 0.
    await play(room, b, w, MATE);
    const ended = await w.next('ended');
    expect(ended).toMatchObject({ result: '0-1', series: { game: 2, score: { [b.playerId]: 1, [w.playerId]: 1 } } });
    expect(await expiryOf(room)).toBeGreaterThan(firstExpiry!); // the second game extended the room's life

    const games = await gamesOf(w.playerId, 2);
    expect(new Set(games.map((g) => g.gameId)).size).toBe(2);
    expect(games.map((g) => g.color).sort()).toEqual(['black', 'white']);
    expect(games.map((g) => g.result)).toEqual(['0-1', '0-1']);
  });

  test('a decline ends the offer; the offer can be made again', async () => {
    const { w, b, room } = await finishedGame();
    b.send({ t: 'rematch', room });
    await w.next('rematch_offered');
    w.send({ t: 'rematch', room, action: 'decline' });
    expect(await b.next('rematch_declined')).toMatchObject({ by: 'white', reason: 'declined' });
    b.send({ t: 'rematch', room });
    expect(await w.next('rematch_offered')).toMatchObject({ by: 'black' });
  });
});

describe('bad rematch frames get their error, change nothing, and reach nobody else', () => {
  test('no seat, game not over, twice, after the opponent left', async () => {
    const w = await connect('alice');
    const b = await connect('bob');
    const room = await startGame(w, b);
    const stranger = await connect('mallory');
    expect(await w.ask({ t: 'rematch', room })).toMatchObject({ t: 'error', code: 'game_not_over' });
    expect(await b.ask({ t: 'rematch', room, action: 'accept' })).toMatchObject({ t: 'error', code: 'game_not_over' });
    expect(await stranger.ask({ t: 'rematch', room: 'ZZZZZZZZ' })).toMatchObject({ t: 'error', code: 'room_not_found' });
    expect(await stranger.ask({ t: 'rematch', room, action: 'bogus' })).toMatchObject({ t: 'error', code: 'bad_request' });
    // The game goes on; its next event follows the last one directly: the refusals emitted nothing.
    await play(room, w, b, MATE);
    const ended = await b.next('ended');
    expect(ended.seq).toBe(1 + MATE.length + 1);

    expect(await stranger.ask({ t: 'rematch', room })).toMatchObject({ t: 'error', code: 'not_a_player' });
    expect(await b.ask({ t: 'rematch', room, action: 'accept' })).toMatchObject({ t: 'error', code: 'no_offer' });
    w.send({ t: 'rematch', room });
    expect(await b.next('rematch_offered')).toMatchObject({ seq: Number(ended.seq) + 1 });
    expect(await w.ask({ t: 'rematch', room })).toMatchObject({ t: 'error', code: 'already_offered' });

    // bob leaves the finished game's room: alice's offer to him is off, and so is any rematch.
    b.send({ t: 'leave', room });
    expect(await b.next('state')).toMatchObject({ status: 'ended' });
    expect(await w.next('rematch_declined')).toMatchObject({ seq: Number(ended.seq) + 2, by: 'black', reason: 'left' });
    expect(await w.ask({ t: 'rematch', room })).toMatchObject({ t: 'error', code: 'opponent_left' });
    expect(await b.ask({ t: 'rematch', room })).toMatchObject({ t: 'error', code: 'not_a_player' });

    // Nothing changed: the room is still the finished first game, with no offer.
    const state = await stranger.ask({ t: 'watch', room });
    expect(state).toMatchObject({ status: 'ended', seq: Number(ended.seq) + 2, rematchOffer: null, series: { game: 1 } });
  });

  test('one game at a time: a rematch accepted while a player is in another game is refused, and works once it ended', async () => {
    const { w, b, room } = await finishedGame();
    w.send({ t: 'rematch', room });
    await b.next('rematch_offered');
    // bob starts another game with carol meanwhile (a new room, created and joined).
    const carol = await connect('carol');
    const other = await startGame(b, carol);
    expect(await b.ask({ t: 'rematch', room, action: 'accept' })).toMatchObject({ t: 'error', code: 'in_game' });
    // Nothing started in the first room: the offer still stands, the game is still the first.
    const seen = await carol.ask({ t: 'watch', room });
    expect(seen).toMatchObject({ status: 'ended', series: { game: 1 }, rematchOffer: 'white' });
    b.send({ t: 'resign', room: other });
    await carol.next('ended');
    b.send({ t: 'rematch', room, action: 'accept' });
    expect(await w.next('started', (m) => m.room === room)).toMatchObject({ series: { game: 2 } });
  });
});
