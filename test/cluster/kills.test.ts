// The kill scenarios on a real Redis Cluster (issue 16): the services as real processes from the
// build on six redis-server in cluster mode (REDIS_MODE=cluster, four room shards), the controller
// watching the gateway pods through the test API server (test/controller/fake-apiserver.ts: the
// one fake, as no Kubernetes API server runs here). A gateway SIGKILLed mid-game: the controller
// retires it (its registry and its streams on every shard) and its player comes back through the
// other gateway and plays on; a game engine SIGKILLed mid-game: the other engine claims its commands;
// the finalizer SIGKILLed before a game ends: a new one stores the game once.
import { afterAll, beforeAll, expect, test } from '@jest/globals';
import { connectRedis, keys as makeKeys, FINALIZER_GROUP, type Cluster, type Keys } from '@gambit/common';
import type { RunningController } from '../../controllers/room-reaper/src/app.js';
import { startClusterProcessStack, type ClusterProcessStack, type Proc } from '../support/processes.js';
import { TestPlayer, play, startGame, storedGame } from '../support/player.js';
import { waitFor } from '../support/redis.js';
import { FakeApiServer } from '../controller/fake-apiserver.js';
import { NS, gatewayPod, startLeadingController } from '../controller/support.js';

const GRACE = 4_000;
let stack: ClusterProcessStack;
let api: FakeApiServer;
let controller: RunningController;
let redis: Cluster;
let k: Keys;
const players: TestPlayer[] = [];

beforeAll(async () => {
  [stack, api] = await Promise.all([
    startClusterProcessStack({ logLevel: 'warn', clusterOptions: { nodeTimeoutMs: 1500 }, env: { 'game-engine': { RECONNECT_GRACE_MS: String(GRACE) } } }),
    FakeApiServer.start(),
  ]);
  await stack.start('game-engine');
  k = makeKeys(stack.keyPrefix, 4, 'cluster');
  redis = connectRedis(stack.redisUrl, 'test', 'cluster') as Cluster;
  for (const p of stack.procs.filter((x) => x.name === 'gateway')) api.put('pods', NS, gatewayPod(gatewayId(p)));
  controller = await startLeadingController(api, { REDIS_URL: stack.redisUrl, REDIS_MODE: 'cluster', ROOM_SHARDS: '4' }, stack.keyPrefix, 10_000);
}, 120_000);

afterAll(async () => {
  players.forEach((p) => p.close());
  await controller?.close();
  redis?.disconnect();
  await api?.close();
  await stack?.stop();
}, 60_000);

/** test/support/processes.ts names the n-th gateway `gateway-n-PREFIX` (GATEWAY_ID = the pod name). */
function gatewayId(p: Proc): string {
  return `gateway-${stack.procs.filter((x) => x.name === 'gateway').indexOf(p)}-${stack.keyPrefix}`;
}

async function connect(url: string, name: string, opts?: Parameters<typeof TestPlayer.connect>[2]): Promise<TestPlayer> {
  const p = await TestPlayer.connect(url, name, opts);
  players.push(p);
  return p;
}

async function kill(pod: Proc): Promise<void> {
  const exited = new Promise((r) => pod.child.once('exit', r));
  pod.child.kill('SIGKILL');
  await exited;
}

test('a gateway killed mid-game: the controller retires it on every shard, its player comes back through the other gateway and plays on', async () => {
  const pod = await stack.start('gateway');
  const id = gatewayId(pod);
  api.put('pods', NS, gatewayPod(id));
  const w = await connect(stack.httpUrl, 'carol');
  const b = await connect(`http://127.0.0.1:${pod.port}`, 'dave');
  const room = await startGame(w, b);
  await play(room, w, b, ['d2d4', 'd7d5']);
  const seen = b.inbox.filter((m) => typeof m.seq === 'number').map((m) => m.seq as number).pop()!;
  await kill(pod);
  api.remove('pods', NS, id);
  await w.next('presence', (m) => m.connected === false, 10_000);
  const back = await connect(stack.httpUrl, 'dave', { token: b.token, resume: { room, seq: seen } });
  await w.next('presence', (m) => m.connected === true, 5_000);
  await play(room, w, back, ['c2c4', 'e7e6'], 2);
  // Nothing of the dead gateway is left: its registry entry, its own keys, its stream on each shard.
  await waitFor(async () => (await redis.zscore(k.gateways, id)) === null, 10_000, 'dead gateway still registered');
  await waitFor(async () => {
    const left = await Promise.all([k.gatewayConns(id), k.gatewayConnections(id), ...k.allShards.map((s) => k.gatewayEvents(id, s))].map((key) => redis.exists(key)));
    return left.every((n) => n === 0);
  }, 10_000, 'keys of the dead gateway left behind');
  expect(api.violations).toEqual([]);
});

test('a game engine killed mid-game: the other one plays the game on (claiming any command the dead one held)', async () => {
  const w = await connect(stack.httpUrl, 'erin');
  const b = await connect(stack.httpUrl, 'finn');
  const room = await startGame(w, b);
  await play(room, w, b, ['e2e4', 'c7c5']);
  await kill(stack.procs.find((p) => p.name === 'game-engine' && p.child.exitCode === null && p.child.signalCode === null)!);
  // CLAIM_IDLE_MS 1 s: a command the dead engine held is taken over within about that.
  await play(room, w, b, ['g1f3', 'd7d6', 'd2d4', 'c5d4'], 2, 15_000);
});

test('the finalizer killed before a game ends: a new one stores the game once', async () => {
  const w = await connect(stack.httpUrl, 'gus');
  const b = await connect(stack.httpUrl, 'hal');
  const room = await startGame(w, b);
  await play(room, w, b, ['f2f3', 'e7e5', 'g2g4']);
  await kill(stack.procs.find((p) => p.name === 'finalizer')!);
  await play(room, w, b, ['d8h4'], 3);
  await Promise.all([w.next('ended'), b.next('ended')]);
  const gameId = (JSON.parse((await redis.hget(k.room(room), 's'))!) as { gameId: string }).gameId;
  // Not stored while no finalizer runs; the entry waits in its shard's finalize stream.
  expect((await fetch(`${stack.httpUrl}/api/games/${gameId}`)).status).not.toBe(200);
  expect(await redis.xlen(k.finalize(k.shardOf(room)))).toBeGreaterThan(0);
  await stack.start('finalizer');
  expect(await storedGame(stack.httpUrl, gameId, 30_000)).toMatchObject({ room, result: '0-1', reason: 'checkmate' });
  await waitFor(async () => ((await redis.xpending(k.finalize(k.shardOf(room)), FINALIZER_GROUP)) as [number])[0] === 0, 10_000, 'the finalize entry was left pending');
});
