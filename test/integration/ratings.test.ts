// Ratings in the finalizer against a real redis-server and dynalite: a rated game changes both
// players' ratings in the same transaction as the record, exactly once (duplicates, concurrent
// games of one player, a DynamoDB outage), and the read API serves them. Expected values come from
// the pure module (packages/ratings), which has its own tests against Glickman's example.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ScanCommand } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { pino } from 'pino';
import { keys } from '@gambit/common';
import { encodeFinalize, type GameRecord, type PlayerRef } from '@gambit/protocol';
import { newPlayer, rateGame } from '@gambit/ratings';
import type { RunningFinalizer } from '../../services/finalizer/src/app.js';
import { GameStore } from '../../services/finalizer/src/store.js';
import { ratingField } from '../../services/finalizer/src/rules/ratings.js';
import { startProxy } from '../support/proxy.js';
import { ratingProblems } from '../support/ratings-check.js';
import { eventually, gameRecord, getJson, metric, startFixture, storeGames, type Fixture } from './finalizer-fixture.js';

let f: Fixture;
let fin: RunningFinalizer;

beforeAll(async () => {
  f = await startFixture('ratings');
  fin = await f.start('main');
}, 20_000);

afterAll(async () => {
  await fin?.close();
  await f?.stop();
});

const user = (name: string): PlayerRef => ({ playerId: `u_${name}`, name });
const rated = (white: PlayerRef, black: PlayerRef, overrides: Partial<GameRecord> = {}) => gameRecord(white, black, { rated: true, ...overrides });

async function scan(table: string): Promise<Record<string, unknown>[]> {
  const out = await f.dynamo.send(new ScanCommand({ TableName: table, ConsistentRead: true }));
  return (out.Items ?? []).map((i) => unmarshall(i));
}
/** Everything stored so far, checked against a replay through the pure module. */
async function problems(): Promise<string[]> {
  return ratingProblems((await scan(f.names.games)).filter((g) => g.type === 'game'), await scan(f.names.players));
}
const playerItem = async (playerId: string) => (await scan(f.names.players)).find((p) => p.playerId === playerId);

describe('rated games in the finalizer', () => {
  it('changes both ratings once; the record, the game rows and the player page show them', async () => {
    const [alice, bob] = [user('alice'), user('bob')];
    const game = rated(alice, bob);
    await storeGames(f, fin, [game]);
    const want = rateGame(newPlayer(), newPlayer(), 1, game.endedAt);

    const { body: stored } = await getJson(fin.port, `/api/games/${game.gameId}`);
    expect(stored.ratings).toEqual({
      white: { before: 1500, after: want.white.rating, rd: want.white.rd, vol: want.white.vol, games: 1 },
      black: { before: 1500, after: want.black.rating, rd: want.black.rd, vol: want.black.vol, games: 1 },
    });
    expect(stored.ratings.white.after).toBeGreaterThan(1500);
    const { body: list } = await getJson(fin.port, `/api/players/${bob.playerId}/games`);
    expect(list.games[0]).toMatchObject({ gameId: game.gameId, rating: stored.ratings.black });
    const { body: page } = await getJson(fin.port, `/api/players/${alice.playerId}`);
    expect(page.ratings.blitz).toEqual({ rating: Math.round(want.white.rating), rd: expect.any(Number), provisional: true, games: 1 });
    expect(page.ratings.rapid).toEqual({ rating: 1500, rd: 500, provisional: true, games: 0 });
    expect(page).not.toHaveProperty(ratingField('blitz', 'Vol')); // flat attributes are not served

    // Delivered again: a duplicate, counted nowhere.
    const dupes = await metric(fin.port, 'gambit_finalizer_games_total', { outcome: 'duplicate' });
    await f.redis.xadd(f.k.finalize(0), '*', ...(encodeFinalize(game.room, game) as [string]));
    await eventually('the duplicate', async () => (await metric(fin.port, 'gambit_finalizer_games_total', { outcome: 'duplicate' })) > dupes);
    expect((await playerItem(alice.playerId))?.[ratingField('blitz', 'RatedGames')]).toBe(1);
    expect(await problems()).toEqual([]);
  });

  it('leaves ratings alone for casual, aborted, one-ply and self games', async () => {
    const [carol, dave] = [user('carol'), user('dave')];
    const oneMove = { uci: ['e2e4'], san: ['e4'], result: '0-1' as const, winner: 'black' as const, clockHistory: [301_000] };
    await storeGames(f, fin, [
      gameRecord(carol, dave), // casual: no `rated` (a record from before ratings, or a v1 client)
      gameRecord(carol, dave, { rated: false }),
      rated(carol, dave, { result: null, winner: null, reason: 'aborted', uci: [], san: [], clockHistory: [] }),
      rated(carol, dave, oneMove),
      rated(carol, carol),
    ]);
    for (const p of [carol, dave]) {
      const item = await playerItem(p.playerId);
      expect(item?.games).toBeGreaterThan(0); // the stats did count the decided games
      expect(item).not.toHaveProperty(ratingField('blitz', 'RatedGames'));
    }
    expect(await problems()).toEqual([]);
  });

  it('rates concurrent games of the same players exactly once each, in one consistent chain', async () => {
    const players = ['erin', 'frank', 'grace', 'heidi'].map(user);
    const games = Array.from({ length: 12 }, (_, i) => rated(players[i % 4]!, players[(i + 1 + (i % 3)) % 4]!, {
      room: `RATE${'ABCDEFGHJKMN'[i]}234`, result: (['1-0', '0-1', '1/2-1/2'] as const)[i % 3], winner: (['white', 'black', null] as const)[i % 3],
    }));
    // Two stores writing at once, each a game at a time, as two finalizers would: every write
    // reads the ratings first, so some find them changed when they write, and read again.
    const lines: string[] = [];
    const logger = pino({ level: 'info' }, { write: (l: string) => void lines.push(l) });
    const outcomes = await Promise.all([0, 1].map(async (n) => {
      const store = new GameStore(f.dynamo, f.names, { local: true, logger });
      const mine = [];
      for (const g of games.filter((_, i) => i % 2 === n)) mine.push(await store.saveGame(g));
      return mine;
    }));
    expect(outcomes.flat()).toEqual(games.map(() => 'stored'));
    expect(lines.some((l) => l.includes('rating changed meanwhile'))).toBe(true);
    for (const p of players) {
      const played = games.filter((g) => g.white.playerId === p.playerId || g.black.playerId === p.playerId).length;
      expect((await playerItem(p.playerId))?.[ratingField('blitz', 'RatedGames')]).toBe(played);
    }
    expect(await problems()).toEqual([]);
    // The check itself catches a wrong rating and a game counted but not stored.
    const stored = (await scan(f.names.games)).filter((g) => g.type === 'game');
    const players_ = await scan(f.names.players);
    const bump = (g: Record<string, unknown>) => {
      const r = g.ratings as { white: { after: number } };
      return { ...g, ratings: { ...r, white: { ...r.white, after: r.white.after + 1 } } };
    };
    expect(ratingProblems(stored.map((g) => (g.gameId === games[5]!.gameId ? bump(g) : g)), players_)).not.toEqual([]);
    expect(ratingProblems(stored.filter((g) => g.gameId !== games[11]!.gameId), players_)).not.toEqual([]);
  });

  it('carries on the chain after a DynamoDB outage in the middle of the retries', async () => {
    const proxy = await startProxy(f.dynalite.port);
    const cut = await f.start('outage', { DYNAMODB_ENDPOINT: `http://127.0.0.1:${proxy.port}`, FINALIZE_MAX_ATTEMPTS: '10', KEY_PREFIX: 'ratings-outage' });
    const k: Fixture = { ...f, k: keys('ratings-outage') }; // the same fixture, the outage finalizer's streams
    try {
      const [ivan, judy] = [user('ivan'), user('judy')];
      await storeGames(k, cut, [rated(ivan, judy)]);
      proxy.cut();
      const second = rated(judy, ivan, { result: '1/2-1/2', winner: null });
      await f.redis.xadd(k.k.finalize(0), '*', ...(encodeFinalize(second.room, second) as [string]));
      await eventually('a retry', async () => (await metric(cut.port, 'gambit_finalizer_retries_total')) >= 1);
      proxy.restore();
      await eventually('the second game', async () => (await metric(cut.port, 'gambit_finalizer_games_total', { outcome: 'stored' })) >= 2);
      expect((await playerItem(ivan.playerId))?.[ratingField('blitz', 'RatedGames')]).toBe(2);
      expect(await problems()).toEqual([]);
    } finally {
      await cut.close();
      await proxy.close();
    }
  });
});
