// A rated game in Chromium between two people who signed up on the provider's pages: the Rated box
// (off for guests), the game-over panel's rating change once the finalizer stored the game, and
// both player pages showing the new ratings (from the ratings module's own numbers) and a history.
import { describe, expect, test } from '@jest/globals';
import { display, newPlayer, rateGame } from '@gambit/ratings';
import { FOOLS_MATE, activeGame, gameState, movesShown, playMove, roomCode, signUpInBrowser, useSite, STEP_MS } from '../support/site.js';

const site = useSite({ accounts: true });

describe('a rated game', () => {
  test('guests cannot tick Rated; two signed-in players play one and see their ratings change', async () => {
    const guest = await site.newPlayer();
    expect(await guest.isDisabled('#rated')).toBe(true);

    const [carol, dave] = [await site.newPage(), await site.newPage()];
    await signUpInBrowser(carol, site, 'carol');
    await signUpInBrowser(dave, site, 'dave');
    await carol.selectOption('#tc', '3+2');
    await carol.selectOption('#color', 'white');
    await carol.check('#rated');
    await carol.click('#create');
    await dave.fill('#join-code', await roomCode(carol));
    await dave.click('#join');
    for (const [i, uci] of FOOLS_MATE.entries()) {
      await playMove(i % 2 ? dave : carol, uci);
      for (const p of [carol, dave]) await movesShown(p, i + 1);
    }

    // What the ratings module gives two new players when black wins (a first game: no idle time).
    const want = rateGame(newPlayer(), newPlayer(), 0, Date.now());
    for (const p of [carol, dave]) {
      await p.waitForSelector('[data-testid="rating-change"]', { timeout: STEP_MS });
      const diff = (side: string) => p.textContent(`[data-testid="rating-diff-${side}"]`);
      expect(await diff('white')).toBe(`−${1500 - Math.round(want.white.rating)}`);
      expect(await diff('black')).toBe(`+${Math.round(want.black.rating) - 1500}`);
    }
    // A reload after the end still shows the change (the room's state names the stored game).
    await dave.reload();
    await dave.waitForSelector('[data-testid="rating-change"]', { timeout: STEP_MS });
    expect(await dave.textContent('[data-testid="rating-diff-black"]')).toBe(`+${Math.round(want.black.rating) - 1500}`);

    for (const [name, after] of [['carol', want.white], ['dave', want.black]] as const) {
      await carol.goto(`${site.stack.httpUrl}/@/${name}`);
      await carol.waitForSelector('[data-testid="rating-history"]', { timeout: STEP_MS });
      expect(await carol.textContent('[data-testid="rating-blitz"]')).toBe(display(after.rating, after.rd));
      expect(await carol.textContent('[data-testid="rating-blitz"]')).not.toBe('1500?');
      expect(await carol.textContent('[data-testid="rating-bullet"]')).toBe('1500?');
      expect(await carol.locator('[data-testid="rating-history"] li[data-speed="blitz"] polyline').count()).toBe(1);
    }
    expect(site.pageErrors).toEqual([]);
  }, 90_000);

  test('two signed-in players press the same rated pool button: paired, they play, both ratings change', async () => {
    const [erin, finn] = [await site.newPage(), await site.newPage()];
    await signUpInBrowser(erin, site, 'erin');
    await signUpInBrowser(finn, site, 'finn');
    for (const p of [erin, finn]) {
      await p.check('[data-testid="pool-rated"]');
      await p.click('[data-testid="pool-1+0"]');
    }
    for (const p of [erin, finn]) await p.waitForURL(/\/room\/[A-Z2-9]{8}$/, { timeout: STEP_MS });
    expect(erin.url()).toBe(finn.url());
    await Promise.all([activeGame(erin), activeGame(finn)]);
    const white = (await gameState(erin)).color === 'white' ? erin : finn;
    const black = white === erin ? finn : erin;
    for (const [i, uci] of FOOLS_MATE.entries()) {
      await playMove(i % 2 ? black : white, uci);
      for (const p of [erin, finn]) await movesShown(p, i + 1);
    }
    for (const p of [erin, finn]) await p.waitForSelector('[data-testid="rating-change"]', { timeout: STEP_MS });
    expect(await white.textContent('[data-testid="rating-diff-white"]')).toMatch(/^−\d+$/);
    expect(site.pageErrors).toEqual([]);
  }, 90_000);
});
