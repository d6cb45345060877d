import { afterAll, beforeAll, expect, test } from '@jest/globals';
import { startStack, type Stack } from '../support/stack.js';
import { TestPlayer, play, startGame } from '../support/player.js';

let stack: Stack;
beforeAll(async () => { stack = await startStack(); });
afterAll(async () => { await stack?.stop(); });

test('fool\'s mate over real sockets', async () => {
  const w = await TestPlayer.connect(stack.httpUrl, 'alice');
  const b = await TestPlayer.connect(stack.httpUrl, 'bob');
  const room = await startGame(w, b);
  await play(room, w, b, ['f2f3', 'e7e5', 'g2g4', 'd8h4']);
  const ended = await w.next('ended');
  expect(ended).toMatchObject({ result: '0-1', reason: 'checkmate' });
});
