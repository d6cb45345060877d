// The controller's room reaping against a real redis-server, with no engine running (the engines
// normally do this within 100 ms; the controller is the backstop) and then racing engines.
import { afterAll, afterEach, beforeAll, expect, test } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { keys as makeKeys, type Keys } from '@gambit/common';
import { DeadlineScanner, Engine, RoomStore, engineMetrics } from '@gambit/rooms';
import { Registry } from '@gambit/common';
import { decodeFinalize } from '@gambit/protocol';
import { controllerMetrics, engineHooks } from '../../controllers/room-reaper/src/metrics.js';
import { controllerConfigSchema } from '../../controllers/room-reaper/src/config.js';
import { startController, type RunningController } from '../../controllers/room-reaper/src/app.js';
import { startRedis, waitFor, type RedisHandle } from '../support/redis.js';
import { RoomMaker, finalizedByRoom } from './rooms.js';
import { log, scrape } from './support.js';

const TTL = 1_000;
const GRACE = 300;

let server: RedisHandle;
let redis: Redis;
const running: { close(): Promise<void> | void }[] = [];
beforeAll(async () => {
  server = await startRedis();
  redis = new Redis(server.url);
});
afterEach(async () => { await Promise.all(running.splice(0).map((r) => r.close())); });
afterAll(async () => {
  redis?.disconnect();
  await server?.stop();
});

function fresh(): Keys & { prefix: string } {
  const prefix = `r${randomBytes(3).toString('hex')}`;
  return { ...makeKeys(prefix), prefix };
}

async function controller(prefix: string, env: Record<string, string> = {}): Promise<RunningController> {
  const c = await startController(controllerConfigSchema.parse({
    REDIS_URL: server.url, KEY_PREFIX: prefix, LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent', KUBERNETES: 'off', METRICS_PORT: '0',
    POD_NAME: `reaper-${randomBytes(2).toString('hex')}`, ROOM_TTL_MS: String(TTL), REAP_EVERY_MS: '100', ...env,
  }), { kubeConfig: null });
  running.push(c);
  return c;
}

const metric = (c: RunningController, name: string, labels: Record<string, string> = {}) => scrape(c.port, name, labels);

test('waiting and finished rooms are gone within 2 s of their expiry deadline, every key of them', async () => {
  const keys = fresh();
  const maker = new RoomMaker(redis, keys, { roomTtlMs: TTL, graceMs: GRACE });
  const waiting = await maker.create('alice');
  const ended = await maker.game('bob', 'carol');
  await maker.resign('bob', ended);
  const active = await maker.game('dave', 'erin');
  const deadlines = new Map<string, number>();
  for (const r of [waiting, ended]) deadlines.set(r, Number(await redis.zscore(keys.roomExpiries(keys.shardOf(r)), r)));
  expect(await redis.zscore(keys.roomExpiries(keys.shardOf(active)), active)).toBeNull(); // games in play do not expire

  const c = await controller(keys.prefix);
  const goneAt = new Map<string, number>();
  await waitFor(async () => {
    for (const r of deadlines.keys()) if (!goneAt.has(r) && !(await redis.exists(keys.room(r)))) goneAt.set(r, Date.now());
    return goneAt.size === deadlines.size;
  }, 5_000, 'rooms not expired');
  for (const [r, deadline] of deadlines) {
    expect(goneAt.get(r)! - deadline).toBeLessThan(2_000);
    expect(goneAt.get(r)!).toBeGreaterThanOrEqual(deadline);
    expect(await redis.exists(keys.room(r), keys.roomLog(r), keys.roomGateways(r))).toBe(0);
    for (const set of [keys.flagDeadlines, keys.reconnectDeadlines, keys.roomExpiries]) expect(await redis.zscore(set(keys.shardOf(r)), r)).toBeNull();
  }
  expect((await maker.state(active)).status).toBe('active');
  expect(await metric(c, 'gambit_reaper_rooms_total', { event: 'gone' })).toBe(2);
  // The ended game was finalized once, by its resignation; expiry adds nothing.
  expect([...(await finalizedByRoom(redis, keys)).entries()]).toEqual([[ended, 1]]);
});

test('abandoned games: ended by the controller alone, once each, even with two controllers at it', async () => {
  const keys = fresh();
  const maker = new RoomMaker(redis, keys, { roomTtlMs: 60_000, graceMs: GRACE });
  const rooms: string[] = [];
  for (let i = 0; i < 10; i++) {
    const r = await maker.game(`w${i}`, `b${i}`);
    await maker.disconnect(`w${i}`, r);
    rooms.push(r);
  }
  const [c1, c2] = await Promise.all([controller(keys.prefix, { REAP_EVERY_MS: '10' }), controller(keys.prefix, { REAP_EVERY_MS: '10' })]);
  await waitFor(async () => (await Promise.all(rooms.map((r) => maker.state(r)))).every((s) => s.status === 'ended'), 5_000, 'games not abandoned');
  for (const r of rooms) expect(await maker.state(r)).toMatchObject({ reason: 'abandoned', result: '0-1' });
  const finalized = await finalizedByRoom(redis, keys);
  expect(rooms.map((r) => finalized.get(r))).toEqual(rooms.map(() => 1));
  const byController = (await metric(c1, 'gambit_reaper_games_ended_total', { reason: 'abandoned' })) + (await metric(c2, 'gambit_reaper_games_ended_total', { reason: 'abandoned' }));
  expect(byController).toBe(rooms.length);
  // The finalize record is the engine's: who stayed won.
  const [id, fields] = ((await redis.xrange(keys.finalize(keys.shardOf(rooms[0]!)), '-', '+', 'COUNT', 1)) as [string, string[]][])[0]!;
  expect(decodeFinalize(id, fields)).toMatchObject({ record: { reason: 'abandoned', winner: 'black' } });
});

test('a flag falls with no engine running: the controller ends the game on time, once', async () => {
  const keys = fresh();
  const maker = new RoomMaker(redis, keys, { roomTtlMs: 60_000, graceMs: GRACE });
  const room = await maker.game('fast', 'slow', 300);
  // Both move once (before that a flag aborts the game: the first-move rule), then White's clock runs.
  await maker.move('fast', room, 'e2e4');
  await maker.move('slow', room, 'e7e5');
  const flag = Number(await redis.zscore(keys.flagDeadlines(keys.shardOf(room)), room));
  expect(flag).toBeGreaterThan(0);
  const c = await controller(keys.prefix, { REAP_EVERY_MS: '50' });
  await waitFor(async () => (await maker.state(room)).status === 'ended', 10_000, 'flag did not fall');
  // White's flag: black wins on time (black has mating material).
  expect(await maker.state(room)).toMatchObject({ reason: 'timeout', result: '0-1' });
  expect(await redis.zscore(keys.flagDeadlines(keys.shardOf(room)), room)).toBeNull();
  expect([...(await finalizedByRoom(redis, keys)).values()]).toEqual([1]);
  expect(await metric(c, 'gambit_reaper_games_ended_total', { reason: 'timeout' })).toBe(1);
});

test('an engine and the controller end the same games at the same instant: each reaches the finalize stream once', async () => {
  const keys = fresh();
  const maker = new RoomMaker(redis, keys, { roomTtlMs: 60_000, graceMs: GRACE });
  const rooms: string[] = [];
  for (let i = 0; i < 8; i++) {
    const r = await maker.game(`w${i}`, `b${i}`);
    await maker.disconnect(`w${i}`, r);
    rooms.push(r);
  }
  // Both sides read each room before either writes (a barrier on the first load of each room by
  // each side): the worst interleaving, every time. One commit wins; the other finds a newer
  // version, decides again from the ended game and does nothing.
  const firstLoads = new Map<string, { n: number; open: () => void; opened: Promise<void> }>();
  class RacingStore extends RoomStore {
    private readonly seen = new Set<string>();
    override async load(code: string) {
      const loaded = await super.load(code);
      if (!this.seen.has(code)) {
        this.seen.add(code);
        let gate = firstLoads.get(code);
        if (!gate) {
          let open!: () => void;
          const opened = new Promise<void>((r) => { open = r; });
          firstLoads.set(code, (gate = { n: 0, open, opened }));
        }
        if (++gate.n === 2) gate.open();
        await gate.opened;
      }
      return loaded;
    }
  }
  const settings = { roomTtlMs: 60_000, logCap: 256, gatewayStreamRetainMs: 120_000, finalizeMaxLen: 1_000_000 };
  const controllerMetricsHooks = controllerMetrics(new Registry());
  const controllerSide = new RacingStore(redis, keys, settings);
  // The controller's side as the controller builds it: an Engine with no grace (it only runs deadlines).
  const reaper = new DeadlineScanner(controllerSide, new Engine(controllerSide, {}, log, engineHooks(controllerMetricsHooks)), keys, log, { batch: 100 });
  const engineRedis = new Redis(server.url);
  running.push({ close: () => engineRedis.disconnect() });
  const engineStore = new RacingStore(engineRedis, keys, settings);
  const engineSide = engineMetrics(new Registry());
  const engine = new Engine(engineStore, { graceMs: GRACE }, log, engineSide);

  const due = Math.max(...(await Promise.all(rooms.map(async (r) => Number(await redis.zscore(keys.reconnectDeadlines(keys.shardOf(r)), r))))));
  await waitFor(() => Date.now() > due, 5_000, 'graces did not pass');
  const [round] = await Promise.all([reaper.runOnce(), ...rooms.map((r) => engine.tick(r))]);
  expect(round).toEqual({ ticked: rooms.length, expired: 0, failed: 0 });

  const finalized = await finalizedByRoom(redis, keys);
  expect(rooms.map((r) => finalized.get(r))).toEqual(rooms.map(() => 1));
  const won = async (c: { get(): Promise<{ values: { labels: Record<string, unknown>; value: number }[] }> }, reason?: string) =>
    (await c.get()).values.filter((v) => reason === undefined || v.labels.reason === reason).reduce((a, v) => a + v.value, 0);
  const byController = await won(controllerMetricsHooks.gamesEnded, 'abandoned');
  const byEngine = await won(engineSide.games, 'abandoned');
  expect(byController + byEngine).toBe(rooms.length);
  // Every room was contested: one side lost each commit and decided again.
  expect((await won(controllerMetricsHooks.conflicts)) + (await won(engineSide.conflicts))).toBe(rooms.length);
  for (const r of rooms) expect(await maker.state(r)).toMatchObject({ status: 'ended', reason: 'abandoned', result: '0-1' });
});

test('the controller and an engine scanning the same deadlines: every abandoned game is finalized exactly once', async () => {
  const keys = fresh();
  const maker = new RoomMaker(redis, keys, { roomTtlMs: 60_000, graceMs: GRACE });
  const rooms: string[] = [];
  for (let i = 0; i < 20; i++) {
    const r = await maker.game(`w${i}`, `b${i}`);
    await maker.disconnect(i % 2 ? `w${i}` : `b${i}`, r);
    rooms.push(r);
  }
  // An engine's own deadline scanner (every 5 ms, its own connection) and the controller (every 10 ms).
  const engineRedis = new Redis(server.url);
  const engineSide = new RoomMaker(engineRedis, keys, { roomTtlMs: 60_000, graceMs: GRACE });
  const scanner = new DeadlineScanner(engineSide.store, engineSide.engine, keys, log);
  scanner.start(5);
  running.push({ close: () => { scanner.stop(); engineRedis.disconnect(); } });
  const c = await controller(keys.prefix, { REAP_EVERY_MS: '10' });

  await waitFor(async () => (await Promise.all(rooms.map((r) => maker.state(r)))).every((s) => s.status === 'ended'), 5_000, 'games not ended');
  const finalized = await finalizedByRoom(redis, keys);
  expect(rooms.map((r) => finalized.get(r))).toEqual(rooms.map(() => 1));
  const byEngine = (await engineSide.metrics.games.get()).values.find((v) => v.labels.reason === 'abandoned')?.value ?? 0;
  const byController = await metric(c, 'gambit_reaper_games_ended_total', { reason: 'abandoned' });
  expect(byEngine + byController).toBe(rooms.length);
  for (const [i, r] of rooms.entries()) expect(await maker.state(r)).toMatchObject({ reason: 'abandoned', result: i % 2 ? '0-1' : '1-0' });
});
