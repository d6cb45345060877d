// Accounts in real Chromium against the whole stack with the embedded OpenID provider and the
// accounts service (nothing stubbed): two people sign up on the provider's own pages and come back
// signed in, play a game, find it on both player pages and replay it; one exports their data and
// signs out (the socket token they had stops working), the other deletes their account (the game
// page then shows a tombstone, the opponent's history keeps the game).
import { describe, expect, test } from '@jest/globals';
import type { Page } from 'playwright-core';
import { TestPlayer } from '../support/player.js';
import { finishFoolsMate, roomCode, signUpInBrowser, useSite, STEP_MS } from '../support/site.js';

const site = useSite({ accounts: true });

/** A fresh socket token of the page's session (what the page asks for before each connect). */
const socketToken = (page: Page) => page.evaluate(async () => {
  const r = await fetch('/api/session', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
  return ((await r.json()) as { token: string }).token;
});

describe('two people with accounts', () => {
  let alice: Page;
  let bob: Page;
  let gameId = '';

  test('both sign up on the provider’s pages, play a game, and both player pages list it', async () => {
    alice = await site.newPage();
    bob = await site.newPage();
    await signUpInBrowser(alice, site, 'alice');
    await signUpInBrowser(bob, site, 'Bob_B');
    await alice.selectOption('#tc', '3+2');
    await alice.selectOption('#color', 'white');
    await alice.click('#create');
    const room = await roomCode(alice);
    await bob.fill('#join-code', room);
    await bob.click('#join');
    await finishFoolsMate(alice, bob);

    // Bob's socket is still open on the game screen: his page says he is online.
    for (const [name, outcome, presence] of [['Bob_B', 'Won', 'Online now'], ['alice', 'Lost', null]] as const) {
      await alice.goto(`${site.stack.httpUrl}/@/${name.toLowerCase()}`); // any case finds the player
      await alice.waitForSelector('[data-testid="game-row"]', { timeout: STEP_MS });
      expect(await alice.textContent('[data-testid="player-name"]')).toBe(name);
      if (presence) expect(await alice.textContent('[data-testid="presence"]')).toBe(presence);
      const row = alice.locator('[data-testid="game-row"]');
      expect(await row.count()).toBe(1);
      expect(await row.textContent()).toContain(outcome);
      gameId ||= (await row.getAttribute('data-game')) ?? '';
      expect(await row.getAttribute('data-game')).toBe(gameId);
      expect(await alice.textContent('[data-testid="stat-games"]')).toBe('1');
      // 3+2 is blitz (180 + 80 s estimated): counted there, nowhere else. A casual game: the rating stays 1500?.
      expect(await alice.locator('[data-speed="blitz"] td').allTextContents()).toEqual(['1500?', '1', outcome === 'Won' ? '1' : '0', outcome === 'Lost' ? '1' : '0', '0']);
      expect(await alice.locator('[data-speed="bullet"] td').nth(1).textContent()).toBe('0');
    }
    // Alice's own page: its row opens the replay; Back returns to the page, Forward to the replay.
    await alice.locator('[data-testid="game-row"]').click();
    await alice.waitForURL(`${site.stack.httpUrl}/game/${gameId}`, { timeout: STEP_MS });
    await alice.waitForSelector('#replay-ply[data-ply="4"]', { timeout: STEP_MS });
    await alice.goBack();
    await alice.waitForSelector('[data-testid="game-row"]', { timeout: STEP_MS });
    expect(new URL(alice.url()).pathname).toBe('/@/alice');
    await alice.goForward();
    await alice.waitForSelector('#replay-ply[data-ply="4"]', { timeout: STEP_MS });
  }, 90_000);

  test('the game page replays it move by move with both names', async () => {
    await bob.goto(`${site.stack.httpUrl}/game/${gameId}`);
    await bob.waitForSelector('#replay-ply[data-ply="4"]', { timeout: STEP_MS });
    const names = await bob.locator('#replay .name').allTextContents();
    expect(names.sort()).toEqual(['Bob_B', 'alice']);
    for (const ply of [3, 2, 1, 0]) {
      await bob.keyboard.press('ArrowLeft');
      await bob.waitForSelector(`#replay-ply[data-ply="${ply}"]`, { timeout: STEP_MS });
    }
    expect(await bob.textContent('#replay-fen')).toBe('rnbqkbnr/pppppppp/8/8/8/8/PPPPPPPP/RNBQKBNR w KQkq - 0 1');
  }, 30_000);

  test('the export holds the account and the game; after sign-out the old socket token no longer works', async () => {
    const exported = await bob.evaluate(async () => (await fetch('/api/account/export')).json()) as { account: { username: string }; games: { gameId: string }[] };
    expect(exported.account.username).toBe('Bob_B');
    expect(exported.games.map((g) => g.gameId)).toEqual([gameId]);
    const token = await socketToken(bob);
    await bob.goto(`${site.stack.httpUrl}/`);
    await bob.click('[data-testid="sign-out"]', { timeout: STEP_MS });
    await bob.waitForSelector('[data-testid="sign-in"]', { timeout: STEP_MS }); // back home, a guest
    expect(new URL(bob.url()).origin).toBe(site.stack.httpUrl);
    const socket = await TestPlayer.open(site.stack.wsUrl);
    socket.send({ t: 'hello', token });
    expect((await socket.closed).code).toBe(4401);
  }, 30_000);

  test('deleting an account: the game page shows a tombstone, the opponent’s history keeps the game', async () => {
    await alice.goto(`${site.stack.httpUrl}/account`);
    await alice.click('button:has-text("Delete my account")', { timeout: STEP_MS });
    await alice.fill('[data-testid="delete-form"] input', 'alice');
    await alice.click('[data-testid="delete-form"] button[type="submit"]');
    await alice.waitForURL(`${site.stack.httpUrl}/`, { timeout: STEP_MS });
    await alice.waitForSelector('[data-testid="sign-in"]', { timeout: STEP_MS });

    await alice.goto(`${site.stack.httpUrl}/@/alice`);
    await alice.waitForSelector('[data-testid="no-such-player"]', { timeout: STEP_MS });
    // The finalizer rewrites the stored game behind a stream: reload until it has.
    const viewer = await site.newPage();
    let names: string[] = [];
    for (const deadline = Date.now() + STEP_MS; Date.now() < deadline;) {
      await viewer.goto(`${site.stack.httpUrl}/game/${gameId}`);
      await viewer.waitForSelector('#replay .name', { timeout: STEP_MS });
      names = await viewer.locator('#replay .name').allTextContents();
      if (!names.includes('alice')) break;
    }
    expect(names.some((n) => /^deleted-[0-9a-f]{6}$/.test(n))).toBe(true);
    expect(names).toContain('Bob_B');
    expect(await viewer.locator('#replay-moves .san').count()).toBe(4);
    await viewer.goto(`${site.stack.httpUrl}/@/bob_b`);
    await viewer.waitForSelector('[data-testid="game-row"]', { timeout: STEP_MS });
    expect(await viewer.locator('[data-testid="game-row"]').getAttribute('data-game')).toBe(gameId);
    expect(site.pageErrors).toEqual([]);
  }, 60_000);
});
