// One grep follows a move from the socket to DynamoDB: the gateway gives each command a
// correlation id, and the engine's and the finalizer's log lines about it carry the same id.
import { afterAll, beforeAll, expect, test } from '@jest/globals';
import { startProcessStack, type ProcessStack } from '../support/processes.js';
import { TestPlayer, play, startGame } from '../support/player.js';
import { waitFor } from '../support/redis.js';

let stack: ProcessStack;
const players: TestPlayer[] = [];
beforeAll(async () => { stack = await startProcessStack({ logLevel: 'debug' }); }, 30_000);
afterAll(async () => { players.forEach((p) => p.close()); await stack?.stop(); });

test('the mating move\'s correlation id appears in gateway, engine and finalizer logs', async () => {
  const w = await TestPlayer.connect(stack.httpUrl, 'alice');
  const b = await TestPlayer.connect(stack.httpUrl, 'bob');
  players.push(w, b);
  const room = await startGame(w, b);
  await play(room, w, b, ['f2f3', 'e7e5', 'g2g4', 'd8h4']);
  await w.next('ended');

  // Log lines come through the child's stdout pipe, maybe after the socket's `ended` (pino writes
  // asynchronously): wait for the fourth, with a timeout.
  const moveLines = () => stack.logs('gateway').filter((l) => l.msg === 'command forwarded' && l.t === 'move' && l.room === room);
  await waitFor(() => moveLines().length >= 4, 10_000, `the gateway logged ${moveLines().length} of 4 moves`);
  const forwarded = moveLines();
  expect(forwarded).toHaveLength(4);
  const cid = String(forwarded[3]!.cid);
  expect(cid).toMatch(/^[\w-]+\.\d+$/);
  await waitFor(() => stack.logs('finalizer').some((l) => l.cid === cid && l.msg === 'game stored'), 10_000, `no finalizer line with cid ${cid}`);
  const engine = stack.logs('game-engine').filter((l) => l.cid === cid);
  expect(engine).toEqual([expect.objectContaining({ msg: 'command handled', t: 'move', room, outcome: 'committed' })]);
  // Every line names its service and pod.
  for (const service of ['gateway', 'game-engine', 'finalizer']) {
    expect(stack.logs(service).every((l) => l.service === service && typeof l.pod === 'string')).toBe(true);
  }
});

test('no tokens in any log line', async () => {
  const p = await TestPlayer.connect(stack.httpUrl, 'dave');
  players.push(p);
  const all = stack.procs.flatMap((x) => x.lines).join('\n');
  expect(all).not.toContain(p.token);
  expect(all).not.toContain(p.token.split('.')[2]);
});
