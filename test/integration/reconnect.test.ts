// Dropped sockets: presence, resume with replay of missed events, abandonment after the grace.
import { afterAll, beforeAll, expect, test } from '@jest/globals';
import { startStack, type Stack } from '../support/stack.js';
import { TestPlayer, play, startGame } from '../support/player.js';

let stack: Stack;
const open: TestPlayer[] = [];
beforeAll(async () => { stack = await startStack({ graceMs: 1_500 }); });
afterAll(async () => { open.forEach((p) => p.close()); await stack?.stop(); });

async function connect(name: string, opts?: Parameters<typeof TestPlayer.connect>[2]) {
  const p = await TestPlayer.connect(stack.httpUrl, name, opts);
  open.push(p);
  return p;
}

test('resume within the grace replays exactly the missed events, then the game goes on', async () => {
  const w = await connect('alice');
  const b = await connect('bob');
  const room = await startGame(w, b);
  await play(room, w, b, ['e2e4', 'e7e5']);
  const lastSeen = b.inbox.find((m) => m.t === 'moved' && m.ply === 2)!.seq as number;
  b.ws.terminate();
  const gone = await w.next('presence', (m) => m.connected === false);
  expect(gone).toMatchObject({ color: 'black', graceMs: 1_500 });
  // White moves while black is away; black must get this move on resume.
  w.send({ t: 'move', room, uci: 'g1f3', ply: 2 });
  await w.next('moved', (m) => m.ply === 3);

  const b2 = await connect('bob', { token: b.token, resume: { room, seq: lastSeen } });
  const missed = await b2.next('moved');
  expect(missed).toMatchObject({ ply: 3, san: 'Nf3' });
  expect(missed.seq).toBe(lastSeen + 2); // seq lastSeen+1 was the presence event, replayed first
  expect(b2.inbox.filter((m) => m.t !== 'welcome').map((m) => m.seq)).toEqual([lastSeen + 1, lastSeen + 2, lastSeen + 3]);
  const back = await w.next('presence', (m) => m.connected === true);
  expect(back.reconnectVersion).toBeGreaterThan(gone.reconnectVersion as number);
  await play(room, w, b2, ['b8c6'], 3);
});

test('resume after the log is gone sends a fresh state', async () => {
  const w = await connect('alice');
  const b = await connect('bob');
  const room = await startGame(w, b);
  const b2 = await connect('bob', { token: b.token, resume: { room, seq: 9_999 } });
  expect(await b2.next('state')).toMatchObject({ room, status: 'active', moves: [] });
});

test('no return within the grace: the game ends abandoned and the player who stayed wins', async () => {
  const w = await connect('alice');
  const b = await connect('bob');
  const room = await startGame(w, b);
  await play(room, w, b, ['d2d4', 'd7d5']);
  w.ws.terminate();
  const ended = await b.next('ended', () => true, 5_000);
  expect(ended).toMatchObject({ room, result: '0-1', reason: 'abandoned' });
});
