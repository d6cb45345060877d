// Watching in real Chromium: two players start a game; a third person opens Watch, finds the game
// in the live list and clicks it: the board shows it as a spectator, and both players' pages say
// one person is watching; when the spectator goes home, the count goes away again.
import { describe, expect, test } from '@jest/globals';
import { activeGame, gameState, roomCode, useSite, STEP_MS } from '../support/site.js';

const site = useSite();

describe('watching a game in play', () => {
  test('the live list links to the game; the crowd on both players\' pages goes up by one and back', async () => {
    const alice = await site.newPlayer();
    const bob = await site.newPlayer();
    const carol = await site.newPlayer();
    await alice.click('#create');
    const room = await roomCode(alice);
    await bob.fill('#join-code', room);
    await bob.click('#join');
    await Promise.all([activeGame(alice), activeGame(bob)]);

    await carol.click('[data-testid="watch-nav"]');
    await carol.waitForSelector(`[data-testid="live-game"][data-room="${room}"]`, { timeout: STEP_MS });
    expect(await carol.textContent(`[data-room="${room}"] [data-testid="live-watchers"]`)).toBe('0 watching');
    await carol.click(`[data-room="${room}"] [data-testid="watch-link"]`);
    await carol.waitForURL(`${site.stack.httpUrl}/room/${room}`, { timeout: STEP_MS });
    await carol.waitForFunction(() => /Watching/.test(document.querySelector('#status')?.textContent ?? ''), null, { timeout: STEP_MS });
    expect((await gameState(carol)).color).toBeNull();

    for (const page of [alice, bob]) {
      await page.waitForFunction(() => document.querySelector('[data-testid="crowd"]')?.textContent === '1 watching', null, { timeout: STEP_MS });
    }
    await carol.click('.brand'); // home: the spectator stops watching
    for (const page of [alice, bob]) {
      await page.waitForFunction(() => document.querySelector('[data-testid="crowd"]') === null, null, { timeout: STEP_MS });
    }
    expect(site.pageErrors).toEqual([]);
  });
});
