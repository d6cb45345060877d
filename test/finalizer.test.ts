// The finalizer against a real redis-server and dynalite: records published on the finalize stream
// end up in DynamoDB once, with player stats; outages end in retries or dead letters, and nothing
// is lost when a finalizer dies. No sleeps: every wait polls for the expected state.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { GetItemCommand, ScanCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { Redis } from 'ioredis';
import { FINALIZER_GROUP, keys } from '@gambit/common';
import { FINALIZE_PATTERN, ROOM_CODE_ALPHABET, decodeDeadLetter, encodeFinalize, type GameRecord } from '@gambit/protocol';
import { createDynamoClient, startFinalizer, type RunningFinalizer } from '../services/finalizer/src/app.js';
import { loadFinalizerConfig, type FinalizerConfig } from '../services/finalizer/src/config.js';
import { replayDeadLetters } from '../services/finalizer/src/replay.js';
import { GameStore } from '../services/finalizer/src/store.js';
import { ensureTables, type TableNames } from '../services/finalizer/src/tables.js';
import { startDynalite, type DynaliteHandle } from './support/dynalite.js';
import { startRedis, type RedisHandle } from './support/redis.js';

const names: TableNames = { games: 'fintest-games', players: 'fintest-players' };
let redisServer: RedisHandle;
let dynalite: DynaliteHandle;
let redis: Redis;
let dynamo: DynamoDBClient;
let store: GameStore;

function config(overrides: Record<string, string>): FinalizerConfig {
  return loadFinalizerConfig({
    REDIS_URL: redisServer.url, LOG_LEVEL: 'silent', DYNAMODB_ENDPOINT: dynalite.endpoint,
    GAMES_TABLE: names.games, PLAYERS_TABLE: names.players, CREATE_TABLES: 'true',
    FINALIZER_HTTP_PORT: '0', FINALIZE_BACKOFF_BASE_MS: '50', ...overrides,
  });
}

let seq = 0;
function record(overrides: Partial<GameRecord> = {}): GameRecord {
  seq++;
  const startedAt = 1_700_000_000_000 + seq * 1000;
  return {
    gameId: `g-${process.pid}-${seq}`, room: 'ABCD2345',
    white: { playerId: `w-${seq}`, name: 'Alice' }, black: { playerId: `b-${seq}`, name: 'Bob' },
    result: '1-0', reason: 'resign', winner: 'white',
    uci: ['e2e4', 'e7e5'], san: ['e4', 'e5'],
    fens: ['rnbqkbnr/pppppppp/8/8/4P3/8/PPPP1PPP/RNBQKBNR b KQkq - 0 1', 'rnbqkbnr/pppp1ppp/8/4p3/4P3/8/PPPP1PPP/RNBQKBNR w KQkq - 0 2'],
    pgn: '[Result "1-0"]\n\n1. e4 e5 1-0', tc: { initialMs: 300_000, incrementMs: 2000 },
    clock: { white: 301_000, black: 300_500, running: null, at: startedAt + 9000 },
    clockHistory: [301_000, 300_500], startedAt, endedAt: startedAt + 9000,
    ...overrides,
  };
}

/** Polls until `check` returns something truthy; fails after `timeoutMs` with the last error. */
async function eventually<T>(what: string, check: () => Promise<T | null | undefined | false>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value) return value;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${lastError ? `: ${String(lastError)}` : ''}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON answers, checked by expect()
async function get(port: number, path: string, init?: RequestInit): Promise<{ status: number; body: any }> {
  const res = await fetch(`http://127.0.0.1:${port}${path}`, init);
  const text = await res.text();
  return { status: res.status, body: res.headers.get('content-type')?.includes('json') ? JSON.parse(text) : text };
}

/** Sum of a metric's samples whose labels include `labels`. */
async function metric(port: number, name: string, labels: Record<string, string> = {}): Promise<number> {
  const { body } = await get(port, '/metrics');
  let sum = 0;
  for (const line of (body as string).split('\n')) {
    const m = /^([a-z_]+)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (m?.[1] === name && Object.entries(labels).every(([k, v]) => (m[2] ?? '').includes(`${k}="${v}"`))) sum += Number(m[3]);
  }
  return sum;
}

/** Waits until the finalizer has finished `n` more games with `outcome` than `before` (its writes are all done). */
async function handled(port: number, before: number, n = 1, outcome = 'stored'): Promise<void> {
  await eventually(`${n} more games ${outcome}`, async () =>
    (await metric(port, 'gambit_finalizer_games_total', { outcome })) >= before + n);
}
const stored = (port: number) => metric(port, 'gambit_finalizer_games_total', { outcome: 'stored' });

/** On the finalize stream of the room's shard, as the engine's commit writes it. */
const publishGame = (prefix: string, r: unknown, key = 'ABCD2345', shards = 1) => {
  const k = keys(prefix, shards);
  return redis.xadd(k.finalize(k.shardOf(key)), '*', ...(encodeFinalize(key, r as GameRecord) as [string]));
};
const countGames = async () => (await dynamo.send(new ScanCommand({ TableName: names.games, Select: 'COUNT' }))).Count ?? 0;

beforeAll(async () => {
  [redisServer, dynalite] = await Promise.all([startRedis(), startDynalite()]);
  redis = new Redis(redisServer.url);
  dynamo = createDynamoClient(config({}));
  store = new GameStore(dynamo, names, { local: true });
});

afterAll(async () => {
  redis?.disconnect();
  dynamo?.destroy();
  await Promise.all([redisServer?.stop(), dynalite?.stop()]);
});

describe('finalizer', () => {
  const prefix = 'fintest';
  let fin: RunningFinalizer;

  beforeAll(async () => {
    fin = await startFinalizer(config({ KEY_PREFIX: prefix }), { consumer: 'main' });
  });
  afterAll(() => fin?.close());

  it('stores a published game with both players stats, readable via the SDK and HTTP', async () => {
    const r = record();
    const before = await stored(fin.port);
    await publishGame(prefix, r);
    await handled(fin.port, before);
    const game = (await store.getGame(r.gameId))!;
    expect(game).toEqual({ ...r, storedAt: expect.any(Number) });

    const item = (await dynamo.send(new GetItemCommand({ TableName: names.games, Key: { gameId: { S: r.gameId } } }))).Item!;
    expect(item.whitePlayerId).toEqual({ S: r.white.playerId });
    expect(item.blackPlayerId).toEqual({ S: r.black.playerId });
    expect(item.pgn).toEqual({ S: r.pgn });

    const http = await get(fin.port, `/api/games/${r.gameId}`);
    expect(http.status).toBe(200);
    expect(http.body).toEqual({ ...r, storedAt: game.storedAt });

    expect(await store.getPlayer(r.white.playerId)).toMatchObject({ name: 'Alice', games: 1, wins: 1, losses: 0, draws: 0 });
    expect((await get(fin.port, `/api/players/${r.black.playerId}`)).body).toMatchObject({
      playerId: r.black.playerId, name: 'Bob', games: 1, wins: 0, losses: 1, draws: 0,
    });
    const list = await get(fin.port, `/api/players/${r.black.playerId}/games`);
    expect(list.body).toEqual({
      games: [{
        gameId: r.gameId, room: r.room, color: 'black', opponent: r.white, result: '1-0', reason: 'resign',
        outcome: 'loss', plies: 2, tc: r.tc, startedAt: r.startedAt, endedAt: r.endedAt,
      }],
      next: null,
    });
  });

  it('stores a game published twice once, and counts it once', async () => {
    const r = record({ result: '1/2-1/2', reason: 'agreement', winner: null });
    const [storedBefore, duplicatesBefore] = [await stored(fin.port), await metric(fin.port, 'gambit_finalizer_games_total', { outcome: 'duplicate' })];
    await publishGame(prefix, r);
    await publishGame(prefix, r);
    await handled(fin.port, duplicatesBefore, 1, 'duplicate');
    expect(await stored(fin.port)).toBe(storedBefore + 1);
    for (const p of [r.white, r.black]) {
      expect(await store.getPlayer(p.playerId)).toMatchObject({ games: 1, wins: 0, losses: 0, draws: 1 });
    }
    expect((await store.listPlayerGames(r.white.playerId)).games).toHaveLength(1);
  });

  it('stores an aborted game without touching player stats', async () => {
    const first = record();
    const before = await stored(fin.port);
    await publishGame(prefix, first);
    await handled(fin.port, before);
    const statsBefore = await Promise.all([store.getPlayer(first.white.playerId), store.getPlayer(first.black.playerId)]);

    const aborted = record({ white: first.white, black: first.black, result: null, reason: 'aborted', winner: null, uci: [], san: [], fens: [] });
    const newcomer = record({ result: null, reason: 'aborted', winner: null, uci: [], san: [], fens: [] });
    await publishGame(prefix, aborted);
    await publishGame(prefix, newcomer);
    await handled(fin.port, before, 3);
    expect(await store.getGame(aborted.gameId)).toMatchObject({ result: null, reason: 'aborted' });
    expect(await store.getGame(newcomer.gameId)).toMatchObject({ result: null, reason: 'aborted' });
    const after = await Promise.all([store.getPlayer(first.white.playerId), store.getPlayer(first.black.playerId)]);
    expect(after).toEqual(statsBefore);
    expect(await store.getPlayer(newcomer.white.playerId)).toBeNull();
    const list = await store.listPlayerGames(first.white.playerId);
    expect(list.games.map((g) => [g.gameId, g.outcome])).toEqual([[aborted.gameId, 'none'], [first.gameId, 'win']]);
  });

  it('moves an invalid payload to the dead-letter stream at once, storing nothing', async () => {
    const k = keys(prefix);
    const gamesBefore = await countGames();
    const bad = { gameId: 'bad-1', white: 'nobody', result: 'maybe' };
    await publishGame(prefix, bad, 'BADKEY23');
    const [id, fields] = await eventually('dead letter', async () => {
      const rows = await redis.xrange(k.finalizeDead(0), '-', '+');
      return rows.length === 1 ? rows[0] : null;
    });
    const dead = decodeDeadLetter(id, fields);
    if ('malformed' in dead) throw new Error(`not a dead letter: ${dead.malformed}`);
    expect(dead.original).toEqual({ pattern: FINALIZE_PATTERN, key: 'BADKEY23', json: JSON.stringify(bad) });
    expect(dead.error).toMatch(/invalid GameRecord/);
    expect(Number.isNaN(Date.parse(dead.failedAt))).toBe(false);
    expect(await store.getGame('bad-1')).toBeNull();
    expect(await countGames()).toBe(gamesBefore);
    expect(await metric(fin.port, 'gambit_finalizer_dead_letters')).toBe(1);
    await redis.del(k.finalizeDead(0));
  });

  it('lists a player\'s games newest first, a page at a time', async () => {
    const me = { playerId: `pager-${process.pid}`, name: 'Pat' };
    // One bullet (1+0), one blitz (5+2), one classical (30+0): each counted under its speed too.
    const tcs = [{ initialMs: 60_000, incrementMs: 0 }, { initialMs: 300_000, incrementMs: 2000 }, { initialMs: 1_800_000, incrementMs: 0 }];
    const games = [3, 1, 2].map((n, i) => record({ white: me, endedAt: 1_800_000_000_000 + n, startedAt: 1_800_000_000_000, tc: tcs[i]! }));
    const before = await stored(fin.port);
    for (const g of games) await publishGame(prefix, g);
    await handled(fin.port, before, 3);
    const [g3, g1, g2] = games.map((g) => g!.gameId);

    const page1 = await store.listPlayerGames(me.playerId, 2);
    expect(page1.games.map((g) => g.gameId)).toEqual([g3, g2]);
    const page2 = await store.listPlayerGames(me.playerId, 2, page1.next!);
    expect(page2).toEqual({ games: [expect.objectContaining({ gameId: g1 })], next: null });

    const http1 = await get(fin.port, `/api/players/${me.playerId}/games?limit=2`);
    expect(http1.body.games.map((g: { gameId: string }) => g.gameId)).toEqual([g3, g2]);
    const http2 = await get(fin.port, `/api/players/${me.playerId}/games?limit=2&cursor=${http1.body.next}`);
    expect(http2.body).toEqual({ games: [expect.objectContaining({ gameId: g1 })], next: null });
    expect(await store.getPlayer(me.playerId)).toMatchObject({
      games: 3, wins: 3,
      speeds: {
        bullet: { games: 1, wins: 1, losses: 0, draws: 0 }, blitz: { games: 1, wins: 1, losses: 0, draws: 0 },
        rapid: { games: 0, wins: 0, losses: 0, draws: 0 }, classical: { games: 1, wins: 1, losses: 0, draws: 0 },
      },
    });
  });

  it('answers 404 and 400 with JSON errors, and serves health, readiness and metrics', async () => {
    const cases: [string, number][] = [
      ['/api/games/no-such-game', 404], ['/api/players/no-such-player', 404], ['/nowhere', 404],
      ['/api/games/bad%23id', 400], ['/api/games/%E0%A4%A', 400], [`/api/games/${'x'.repeat(129)}`, 400],
      ['/api/players/bad%2Fid/games', 400], ['/api/players/p1/games?limit=0', 400], ['/api/players/p1/games?limit=abc', 400],
      ['/api/players/p1/games?limit=101', 400], ['/api/players/p1/games?cursor=garbage', 400],
    ];
    for (const [path, status] of cases) {
      const res = await get(fin.port, path);
      expect({ path, status: res.status }).toEqual({ path, status });
      expect(res.body).toEqual({ error: status === 404 ? 'not_found' : 'bad_request', message: expect.any(String) });
    }
    expect((await get(fin.port, '/api/players/nobody/games')).body).toEqual({ games: [], next: null });
    expect((await get(fin.port, '/api/games/x', { method: 'POST' })).status).toBe(405);
    expect((await get(fin.port, '/healthz')).status).toBe(200);
    expect(await get(fin.port, '/readyz')).toEqual({ status: 200, body: { ok: true, checks: { dynamodb: 'ok', redis: 'ok' } } });
    expect((await get(fin.port, '/metrics')).body).toMatch(/gambit_finalizer_write_duration_seconds_bucket/);
  });
});

// These stop and restart dynalite, which comes back empty (in memory): each test recreates the tables.
describe('finalizer when DynamoDB fails', () => {
  const dynamoBack = async () => {
    await dynalite.restart();
    await ensureTables(dynamo, names);
  };

  it('retries, then parks the game in the dead-letter stream; a replay stores it', async () => {
    const prefix = 'fintest-dead';
    const k = keys(prefix);
    const fin = await startFinalizer(config({ KEY_PREFIX: prefix }), { consumer: 'dl' });
    try {
      await dynalite.stop();
      const r = record();
      await publishGame(prefix, r);
      await handled(fin.port, 0, 1, 'dead_letter');
      expect(await redis.xlen(k.finalizeDead(0))).toBe(1);
      expect(await metric(fin.port, 'gambit_finalizer_retries_total')).toBe(4);
      const [id, fields] = (await redis.xrange(k.finalizeDead(0), '-', '+'))[0]!;
      expect(decodeDeadLetter(id, fields)).toEqual({
        id, original: { pattern: FINALIZE_PATTERN, key: r.room, json: JSON.stringify(r) },
        error: expect.any(String), failedAt: expect.any(String), entry: expect.stringMatching(/^\d+-\d+$/),
      });
      // Parked entries are acknowledged: the stream is not blocked behind them.
      await eventually('entry acknowledged', async () => ((await redis.xpending(k.finalize(0), FINALIZER_GROUP)) as [number])[0] === 0);
      expect((await get(fin.port, '/readyz')).status).toBe(503);

      await dynamoBack();
      expect(await replayDeadLetters(redis, k)).toBe(1);
      expect(await redis.xlen(k.finalizeDead(0))).toBe(0);
      await handled(fin.port, 0);
      expect(await store.getGame(r.gameId)).toMatchObject({ gameId: r.gameId });
      expect(await store.getPlayer(r.white.playerId)).toMatchObject({ games: 1, wins: 1 });
      expect(await replayDeadLetters(redis, k)).toBe(0);
    } finally {
      await fin.close();
    }
  });

  it('stores the game without a dead letter when DynamoDB comes back within the retries', async () => {
    const prefix = 'fintest-blip';
    const k = keys(prefix);
    const fin = await startFinalizer(config({ KEY_PREFIX: prefix, FINALIZE_MAX_ATTEMPTS: '8' }), { consumer: 'blip' });
    try {
      await dynalite.stop();
      const r = record();
      await publishGame(prefix, r);
      await eventually('a retry', async () => (await metric(fin.port, 'gambit_finalizer_retries_total')) >= 1);
      await dynamoBack();
      await handled(fin.port, 0);
      expect(await store.getGame(r.gameId)).toMatchObject({ gameId: r.gameId });
      expect(await redis.xlen(k.finalizeDead(0))).toBe(0);
      expect(await store.getPlayer(r.black.playerId)).toMatchObject({ games: 1, losses: 1 });
    } finally {
      await fin.close();
    }
  });

  it('lets a second finalizer claim and store what a crashed one had read', async () => {
    const prefix = 'fintest-crash';
    const k = keys(prefix);
    // A long backoff keeps the first finalizer waiting with the entry read but not acknowledged.
    const first = await startFinalizer(config({ KEY_PREFIX: prefix, FINALIZE_BACKOFF_BASE_MS: '5000', CLAIM_IDLE_MS: '60000' }), { consumer: 'first' });
    await dynalite.stop();
    const r = record();
    await publishGame(prefix, r);
    await eventually('entry pending at the first finalizer', async () => {
      const [count, , , consumers] = (await redis.xpending(k.finalize(0), FINALIZER_GROUP)) as [number, string, string, [string, string][]];
      return count === 1 && consumers?.[0]?.[0] === 'first';
    });
    first.crash();
    await dynamoBack();
    expect(await store.getGame(r.gameId)).toBeNull();

    const second = await startFinalizer(config({ KEY_PREFIX: prefix, CLAIM_IDLE_MS: '200' }), { consumer: 'second' });
    try {
      await handled(second.port, 0);
      expect(await store.getGame(r.gameId)).toMatchObject({ gameId: r.gameId });
      await eventually('entry acknowledged', async () => ((await redis.xpending(k.finalize(0), FINALIZER_GROUP)) as [number])[0] === 0);
      expect(await redis.xlen(k.finalizeDead(0))).toBe(0);
      expect(await store.getPlayer(r.white.playerId)).toMatchObject({ games: 1, wins: 1 });
    } finally {
      await second.close();
    }
  });
});

describe('finalizer over room shards', () => {
  it('reads every shard\'s finalize stream, parks a failed game in its own shard\'s dead letters, and a replay puts each back on its shard', async () => {
    const prefix = 'fintest-shards';
    const k = keys(prefix, 4);
    // A room code on each shard.
    const rooms: string[] = [];
    for (const a of ROOM_CODE_ALPHABET) for (const b of ROOM_CODE_ALPHABET) rooms[k.shardOf(`SHARDS${a}${b}`)] ??= `SHARDS${a}${b}`;
    expect(rooms.filter(Boolean)).toHaveLength(k.shards);
    const fin = await startFinalizer(config({ KEY_PREFIX: prefix, ROOM_SHARDS: '4' }), { consumer: 'sharded' });
    try {
      const games = rooms.map((room) => record({ room }));
      for (const g of games) await publishGame(prefix, g, g.room, k.shards);
      await handled(fin.port, 0, games.length);
      for (const g of games) expect(await store.getGame(g.gameId)).toMatchObject({ gameId: g.gameId, room: g.room });

      for (const s of [1, 3]) await publishGame(prefix, { gameId: `bad-${s}` }, rooms[s], k.shards);
      await handled(fin.port, 0, 2, 'dead_letter');
      expect(await Promise.all(k.allShards.map((s) => redis.xlen(k.finalizeDead(s))))).toEqual([0, 1, 0, 1]);
      expect(await metric(fin.port, 'gambit_finalizer_dead_letters')).toBe(2);
    } finally {
      await fin.close();
    }
    // With no finalizer running, the replayed entries wait on their own shard's stream.
    const lengths = await Promise.all(k.allShards.map((s) => redis.xlen(k.finalize(s))));
    expect(await replayDeadLetters(redis, k)).toBe(2);
    expect(await Promise.all(k.allShards.map((s) => redis.xlen(k.finalizeDead(s))))).toEqual([0, 0, 0, 0]);
    expect(await Promise.all(k.allShards.map((s) => redis.xlen(k.finalize(s))))).toEqual(lengths.map((n, s) => n + (s === 1 || s === 3 ? 1 : 0)));
    const [, fields] = (await redis.xrevrange(k.finalize(3), '+', '-', 'COUNT', 1))[0]!;
    expect(fields).toEqual(expect.arrayContaining([rooms[3], JSON.stringify({ gameId: 'bad-3' })]));
  });
});

describe('finalizer config', () => {
  it('names the bad variable', () => {
    expect(() => loadFinalizerConfig({ FINALIZE_MAX_ATTEMPTS: 'many' })).toThrow(/FINALIZE_MAX_ATTEMPTS/);
    expect(() => loadFinalizerConfig({ DYNAMODB_ENDPOINT: 'not a url' })).toThrow(/DYNAMODB_ENDPOINT/);
    expect(loadFinalizerConfig({})).toMatchObject({
      GAMES_TABLE: 'gambit-games', PLAYERS_TABLE: 'gambit-players', CREATE_TABLES: false, FINALIZER_HTTP_PORT: 8082,
      FINALIZE_MAX_ATTEMPTS: 5, FINALIZE_BACKOFF_BASE_MS: 250, CLAIM_IDLE_MS: 15_000, AWS_REGION: 'us-east-1',
    });
  });
});

