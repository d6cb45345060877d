// Quick pairing in real Chromium against the whole stack: a player types a name and clicks a pool at
// once, sees the search and cancels it, clicks again; a reload while searching leaves the pool; a
// second player clicks the same pool and both land on the same game with opposite colours (the
// names as typed), and play it to the end.
import { describe, expect, test } from '@jest/globals';
import { activeGame, finishFoolsMate, gameState, useSite, STEP_MS } from '../support/site.js';

const site = useSite();

describe('quick pairing on the home screen', () => {
  test('name then click at once, cancel, reload while searching, then paired with the next player in the pool; they play it out', async () => {
    const alice = await site.newPlayer();
    const bob = await site.newPlayer();
    await alice.fill('#name', 'alice');
    await alice.click('[data-testid="pool-3+0"]'); // the name switch is under way: the click must still land
    await alice.waitForSelector('[data-testid="searching"]', { timeout: STEP_MS });
    expect(await alice.textContent('[data-testid="searching"] p')).toContain('3 + 0 casual');
    expect(await alice.isDisabled('[data-testid="pool-rated"]')).toBe(true); // a guest: casual only

    await alice.click('[data-testid="cancel-pool"]');
    await alice.waitForSelector('[data-testid="pool-3+0"]', { timeout: STEP_MS });
    await alice.click('[data-testid="pool-3+0"]');
    await alice.waitForSelector('[data-testid="searching"]', { timeout: STEP_MS });
    // A reload closes the socket: the search is over, and the page says so by offering the pools again.
    await alice.reload();
    await alice.waitForSelector('[data-testid="pool-3+0"]', { timeout: STEP_MS });
    await alice.click('[data-testid="pool-3+0"]');
    await alice.waitForSelector('[data-testid="searching"]', { timeout: STEP_MS });

    await bob.fill('#name', 'bob');
    await bob.click('[data-testid="pool-3+0"]');
    await alice.waitForURL(/\/room\/[A-Z2-9]{8}$/, { timeout: STEP_MS });
    await bob.waitForURL(alice.url(), { timeout: STEP_MS });
    await Promise.all([activeGame(alice), activeGame(bob)]);
    const [a, b] = [await gameState(alice), await gameState(bob)];
    expect(a.room).toBe(b.room);
    expect([a.color, b.color].sort()).toEqual(['black', 'white']);
    // The names as typed, on both boards (rendered just after the state changes: waited for).
    await alice.waitForFunction(() => /bob/.test(document.querySelector('.board-col')?.textContent ?? ''), null, { timeout: STEP_MS });
    await bob.waitForFunction(() => /alice/.test(document.querySelector('.board-col')?.textContent ?? ''), null, { timeout: STEP_MS });
    const [white, black] = a.color === 'white' ? [alice, bob] : [bob, alice];
    await finishFoolsMate(white, black);
    expect(site.pageErrors).toEqual([]);
  });
});
