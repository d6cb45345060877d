// The lobby in real Chromium: one player opens a seek from the new-game form (a name typed, then
// the click at once); a second player, on another gateway process, sees it appear without
// reloading and clicks Play: both land on the same game with the colour the seek asked for; the
// seek is gone from the lobby. A cancelled seek disappears from the other page too.
import { describe, expect, test } from '@jest/globals';
import { activeGame, gameState, useSite, STEP_MS } from '../support/site.js';

const site = useSite();

describe('the lobby on the home screen', () => {
  test('open to anyone, seen live on another gateway, Play starts it with the colour asked; cancel removes it everywhere', async () => {
    const other = await site.stack.addGateway();
    const alice = await site.newPlayer();
    const bob = await site.newPlayer();
    await bob.goto(other); // bob's socket is on the second gateway process
    await bob.waitForSelector('[data-testid="lobby-empty"]', { timeout: STEP_MS });

    await alice.fill('#name', 'alice');
    await alice.selectOption('#color', 'black');
    await alice.selectOption('#tc', '3+2');
    await alice.click('#seek');
    // Her own seek shows with Cancel; bob's page gets it by itself, with Play.
    await alice.waitForSelector('[data-testid="seek-row"] [data-testid="unseek"]', { timeout: STEP_MS });
    await alice.click('[data-testid="unseek"]');
    await alice.waitForSelector('[data-testid="lobby-empty"]', { timeout: STEP_MS });
    await alice.click('#seek');
    // bob's lobby may still show the cancelled seek for a moment: he plays the open one, by its id.
    const seek = await alice.getAttribute('[data-testid="seek-row"]:has([data-testid="unseek"])', 'data-seek', { timeout: STEP_MS });
    const row = `[data-testid="seek-row"][data-seek="${seek}"]`;
    await bob.waitForSelector(`${row} [data-testid="accept"]`, { timeout: STEP_MS });
    expect(await bob.textContent(row)).toMatch(/alice.*1500.*3 \+ 2.*casual · plays Black/);

    await bob.click(`${row} [data-testid="accept"]`);
    await alice.waitForURL(/\/room\/[A-Z2-9]{8}$/, { timeout: STEP_MS });
    await bob.waitForURL(/\/room\/[A-Z2-9]{8}$/, { timeout: STEP_MS });
    await Promise.all([activeGame(alice), activeGame(bob)]);
    const [a, b] = [await gameState(alice), await gameState(bob)];
    expect(a.room).toBe(b.room);
    expect(a.color).toBe('black');
    expect(b.color).toBe('white');
    await bob.waitForFunction(() => /alice/.test(document.querySelector('.board-col')?.textContent ?? ''), null, { timeout: STEP_MS });
    // Back home, the lobby is empty again: the accepted seek is gone.
    await bob.goto(other);
    await bob.waitForSelector('[data-testid="lobby-empty"]', { timeout: STEP_MS });
    expect(site.pageErrors).toEqual([]);
  });
});
