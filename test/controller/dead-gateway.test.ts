// A gateway pod dies (SIGKILL: no drain, no disconnects, its registry entries left behind) and
// Kubernetes deletes the pod. The controller, watching the gateway pods through the test API
// server, disconnects the dead gateway's players: the engine starts their grace, the opponent sees
// them go, and the game ends `abandoned` unless they come back through another gateway.
// The platform runs as real processes from the build (run `npm run build` first; make test does).
import { afterAll, beforeAll, expect, test } from '@jest/globals';
import { Redis } from 'ioredis';
import { keys as makeKeys, type Keys } from '@gambit/common';
import type { RunningController } from '../../controllers/room-reaper/src/app.js';
import { startProcessStack, type Proc, type ProcessStack } from '../support/processes.js';
import { TestPlayer, play, startGame } from '../support/player.js';
import { waitFor } from '../support/redis.js';
import { FakeApiServer } from './fake-apiserver.js';
import { NS, gatewayPod, scrape, startLeadingController } from './support.js';

const GRACE = 1_500;

let stack: ProcessStack;
let api: FakeApiServer;
let controller: RunningController;
let redis: Redis;
let keys: Keys;
const players: TestPlayer[] = [];

beforeAll(async () => {
  [stack, api] = await Promise.all([
    startProcessStack({ logLevel: 'warn', env: { 'game-engine': { RECONNECT_GRACE_MS: String(GRACE) } } }),
    FakeApiServer.start(),
  ]);
  keys = makeKeys(stack.keyPrefix);
  redis = new Redis(stack.redis.url);
  for (const p of stack.procs.filter((x) => x.name === 'gateway')) api.put('pods', NS, gatewayPod(gatewayId(p)));
  controller = await startLeadingController(api, { REDIS_URL: stack.redis.url }, stack.keyPrefix);
}, 30_000);

afterAll(async () => {
  players.forEach((p) => p.close());
  await controller?.close();
  redis?.disconnect();
  await api?.close();
  await stack?.stop();
});

/** test/support/processes.ts names the n-th gateway `gateway-n-PREFIX` (GATEWAY_ID = the pod name). */
function gatewayId(p: Proc): string {
  return `gateway-${stack.procs.filter((x) => x.name === 'gateway').indexOf(p)}-${stack.keyPrefix}`;
}

async function connect(url: string, name: string, opts?: Parameters<typeof TestPlayer.connect>[2]): Promise<TestPlayer> {
  const p = await TestPlayer.connect(url, name, opts);
  players.push(p);
  return p;
}

/** A second gateway pod with a player on it, in a game against a player on the first gateway. */
async function gameAcrossGateways(white: string, black: string) {
  const pod = await stack.start('gateway');
  const id = gatewayId(pod);
  api.put('pods', NS, gatewayPod(id));
  const w = await connect(stack.httpUrl, white);
  const b = await connect(`http://127.0.0.1:${pod.port}`, black);
  const room = await startGame(w, b);
  // The gateway records the socket's rooms in the registry once it joined them.
  await waitFor(async () => {
    for (const c of await redis.smembers(keys.gatewayConns(id))) if ((await redis.hget(keys.conn(c), 'rooms'))?.includes(room)) return true;
    return false;
  }, 5_000, 'registry does not show the room');
  return { pod, id, w, b, room };
}

async function kill(pod: Proc): Promise<void> {
  const exited = new Promise((r) => pod.child.once('exit', r));
  pod.child.kill('SIGKILL');
  await exited;
}

test('the players of a killed gateway get the grace, then lose by abandonment', async () => {
  const { pod, id, w, b, room } = await gameAcrossGateways('alice', 'bob');
  await play(room, w, b, ['e2e4', 'e7e5']);
  await kill(pod);
  await b.closed;
  // While the pod object exists (it may be restarting) and its heartbeat is fresh, it is left alone.
  expect((await controller.janitor.runOnce()).dead).toEqual([]);
  expect(await redis.zscore(keys.gateways, id)).not.toBeNull();

  api.remove('pods', NS, id); // the kubelet reports the containers gone; the pod object is deleted
  const away = await w.next('presence', (m) => m.connected === false, 5_000);
  expect(away).toMatchObject({ room, color: 'black', graceMs: GRACE });
  const ended = await w.next('ended', () => true, GRACE + 3_000);
  expect(ended).toMatchObject({ room, result: '1-0', reason: 'abandoned' });

  await waitFor(async () => (await redis.zscore(keys.gateways, id)) === null, 3_000, 'dead gateway still registered');
  expect(await redis.exists(keys.gatewayConns(id), keys.gatewayConnections(id))).toBe(0);
  expect(api.violations).toEqual([]);
});

test('a player of a killed gateway who comes back through another one within the grace plays on', async () => {
  const { pod, id, w, b, room } = await gameAcrossGateways('carol', 'dave');
  await play(room, w, b, ['d2d4', 'd7d5']);
  const seen = b.inbox.filter((m) => typeof m.seq === 'number').map((m) => m.seq as number).pop()!;
  await kill(pod);
  api.remove('pods', NS, id);
  await w.next('presence', (m) => m.connected === false, 5_000);
  const graceEnds = Number(await redis.zscore(keys.reconnectDeadlines(keys.shardOf(room)), room));
  expect(graceEnds).toBeGreaterThan(Date.now());

  const back = await connect(stack.httpUrl, 'dave', { token: b.token, resume: { room, seq: seen } });
  await w.next('presence', (m) => m.connected === true, 5_000);
  expect(await redis.zscore(keys.reconnectDeadlines(keys.shardOf(room)), room)).toBeNull();
  // The grace would have ended by now, and the controller has scanned the deadlines since: still playing.
  const rounds = () => scrape(controller.port, 'gambit_reaper_reconcile_seconds_count', { loop: 'rooms' });
  let after: number | null = null;
  await waitFor(async () => {
    if (after === null && Date.now() > graceEnds) after = await rounds();
    return after !== null && (await rounds()) >= after + 2;
  }, GRACE + 3_000, 'no reaping rounds after the old grace');
  await play(room, w, back, ['c2c4'], 2);
  expect(w.inbox.some((m) => m.t === 'ended')).toBe(false);
  expect(api.violations).toEqual([]);
});
