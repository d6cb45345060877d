// A finalizer on a real redis-server and dynalite, for the account-job and read-API tests: games
// go in through the finalize stream (the real finalize path), jobs through the account-jobs
// stream, and each wait polls the finalizer's own counters (its writes are done when they move).
import { Redis } from 'ioredis';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { keys, type Keys } from '@gambit/common';
import { encodeAccountJob, encodeFinalize, type AccountJob, type GameRecord, type PlayerRef } from '@gambit/protocol';
import { AccountStore } from '../../services/finalizer/src/account-store.js';
import { createDynamoClient, startFinalizer, type RunningFinalizer } from '../../services/finalizer/src/app.js';
import { loadFinalizerConfig, type FinalizerConfig } from '../../services/finalizer/src/config.js';
import { GameStore } from '../../services/finalizer/src/store.js';
import type { TableNames } from '../../services/finalizer/src/tables.js';
import { startDynalite, type DynaliteHandle } from '../support/dynalite.js';
import { startRedis, type RedisHandle } from '../support/redis.js';

export interface Fixture {
  redisServer: RedisHandle;
  dynalite: DynaliteHandle;
  redis: Redis;
  dynamo: DynamoDBClient;
  names: TableNames;
  k: Keys;
  store: GameStore;
  accounts: AccountStore;
  config(overrides?: Record<string, string>): FinalizerConfig;
  start(consumer: string, overrides?: Record<string, string>): Promise<RunningFinalizer>;
  stop(): Promise<void>;
}

export async function startFixture(prefix: string): Promise<Fixture> {
  const [redisServer, dynalite] = await Promise.all([startRedis(), startDynalite()]);
  const names = { games: `${prefix}-games`, players: `${prefix}-players` };
  const config = (overrides: Record<string, string> = {}) => loadFinalizerConfig({
    REDIS_URL: redisServer.url, LOG_LEVEL: 'silent', DYNAMODB_ENDPOINT: dynalite.endpoint, KEY_PREFIX: prefix,
    GAMES_TABLE: names.games, PLAYERS_TABLE: names.players, CREATE_TABLES: 'true',
    FINALIZER_HTTP_PORT: '0', FINALIZE_BACKOFF_BASE_MS: '20', CLAIM_IDLE_MS: '500', ...overrides,
  });
  const dynamo = createDynamoClient(config());
  const store = new GameStore(dynamo, names, { local: true });
  const redis = new Redis(redisServer.url);
  return {
    redisServer, dynalite, redis, dynamo, names, k: keys(prefix), store,
    accounts: new AccountStore(dynamo, names, (items) => store.transactWrite(items)),
    config,
    start: (consumer, overrides) => startFinalizer(config(overrides), { consumer }),
    async stop() {
      redis.disconnect();
      dynamo.destroy();
      await Promise.all([redisServer.stop(), dynalite.stop()]);
    },
  };
}

let seq = 0;
/** A finished game between `white` and `black`, with the PGN tags the engine writes. */
export function gameRecord(white: PlayerRef, black: PlayerRef, overrides: Partial<GameRecord> = {}): GameRecord {
  seq++;
  const startedAt = 1_700_000_000_000 + seq * 10_000;
  const result = overrides.result === undefined ? '1-0' : overrides.result;
  const tag = (k: string, v: string) => `[${k} "${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"]`;
  return {
    gameId: `g-${process.pid}-${seq}`, room: 'ABCD2345', white, black, result: '1-0', reason: 'resign', winner: 'white',
    uci: ['e2e4', 'e7e5'], san: ['e4', 'e5'],
    fens: ['rnbqkbnr/pppppppp/8/8/4P3/8/PPPP1PPP/RNBQKBNR b KQkq - 0 1', 'rnbqkbnr/pppp1ppp/8/4p3/4P3/8/PPPP1PPP/RNBQKBNR w KQkq - 0 2'],
    pgn: [tag('Event', 'Gambit casual game'), tag('White', white.name), tag('Black', black.name), tag('Result', result ?? '*')].join('\n') +
      `\n\n1. e4 e5 ${result ?? '*'}\n`,
    tc: { initialMs: 300_000, incrementMs: 2000 }, clock: { white: 301_000, black: 300_500, running: null, at: startedAt + 9000 },
    clockHistory: [301_000, 300_500], startedAt, endedAt: startedAt + 9000,
    ...overrides,
  };
}

/** Polls until `check` returns something truthy; fails after `timeoutMs` with the last error. */
export async function eventually<T>(what: string, check: () => Promise<T | null | undefined | false>, timeoutMs = 10_000): Promise<T> {
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

/** Sum of a metric's samples whose labels include `labels`. */
export async function metric(port: number, name: string, labels: Record<string, string> = {}): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  let sum = 0;
  for (const line of text.split('\n')) {
    const m = /^([a-z_]+)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (m?.[1] === name && Object.entries(labels).every(([k, v]) => (m[2] ?? '').includes(`${k}="${v}"`))) sum += Number(m[3]);
  }
  return sum;
}

/** Publishes games on the finalize stream and waits until the finalizer has stored them all. */
export async function storeGames(f: Fixture, fin: RunningFinalizer, games: GameRecord[]): Promise<void> {
  const stored = () => metric(fin.port, 'gambit_finalizer_games_total', { outcome: 'stored' });
  const before = await stored();
  for (const g of games) await f.redis.xadd(f.k.finalize(f.k.shardOf(g.room)), '*', ...(encodeFinalize(g.room, g) as [string]));
  await eventually(`${games.length} games stored`, async () => (await stored()) >= before + games.length);
}

/** Appends a job entry (as the accounts service will) and returns its fields, to write the very same entry again. */
export async function publishJob(f: Fixture, job: AccountJob | string[]): Promise<string[]> {
  const fields = Array.isArray(job) ? job : encodeAccountJob(job);
  await f.redis.xadd(f.k.accountJobs, '*', ...(fields as [string]));
  return fields;
}

/** Waits until the finalizer has handled `n` more jobs of `kind` with `outcome` than `before`. */
export async function jobsHandled(port: number, kind: string, before: number, n = 1, outcome = 'done'): Promise<void> {
  await eventually(`${n} more ${kind} jobs ${outcome}`, async () =>
    (await metric(port, 'gambit_finalizer_account_jobs_total', { kind, outcome })) >= before + n);
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON answers, checked by expect()
export async function getJson(port: number, path: string, init?: RequestInit): Promise<{ status: number; headers: Headers; body: any }> {
  const res = await fetch(`http://127.0.0.1:${port}${path}`, init);
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text && res.headers.get('content-type')?.includes('json') ? JSON.parse(text) : text };
}
