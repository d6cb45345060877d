// A rematch in real Chromium against the whole stack (gateway, engine, finalizer, redis-server,
// dynalite): two guests finish a game, one offers a rematch, the other accepts on the prompt, the
// board resets with colours swapped, the series score shows beside the players, they finish the
// second game, and the read API holds both games; a player taking New game ends the next offer.
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { startStack, type Stack } from '../support/stack.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const STEP_MS = 10_000; // upper bound for any single UI state change
const FOOLS_MATE = ['f2f3', 'e7e5', 'g2g4', 'd8h4']; // Black mates
const START_FEN = 'rnbqkbnr/pppppppp/8/8/8/8/PPPPPPPP/RNBQKBNR w KQkq - 0 1';

let webRoot: string;
let stack: Stack;
let browser: Browser;
const contexts: BrowserContext[] = [];
const pageErrors: string[] = [];

beforeAll(async () => {
  // Its own build of the page (web/dist is rebuilt by browser.test.ts at the same time).
  webRoot = await mkdtemp(join(tmpdir(), 'gambit-web-'));
  execFileSync(process.execPath, ['web/build.js', '--outdir', webRoot], { cwd: ROOT, stdio: 'pipe' });
  [stack, browser] = await Promise.all([
    startStack({ gateway: { WEB_ROOT: webRoot } }),
    chromium.launch({
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
        '--disable-sync', '--no-first-run', '--disable-quic'],
    }),
  ]);
}, 60_000);

afterAll(async () => {
  await Promise.allSettled(contexts.map((c) => c.close()));
  await browser?.close();
  await stack?.stop();
  if (webRoot) await rm(webRoot, { recursive: true, force: true });
}, 30_000);

/** A guest on the home page, in its own browser context (its own storage: its own player). */
async function newPlayer(): Promise<Page> {
  // Reduced motion: no piece animations, during which cm-chessboard ignores input.
  const context = await browser.newContext({ reducedMotion: 'reduce' });
  contexts.push(context);
  const page = await context.newPage();
  page.on('pageerror', (err) => pageErrors.push(String(err)));
  await page.goto(stack.httpUrl);
  await page.waitForSelector('#conn-state[data-state="online"]', { timeout: STEP_MS });
  return page;
}

interface Hook { state(): { me: string | null; room: string | null; color: string | null; fen: string; status: string } }
const gameState = (page: Page) => page.evaluate(() => (window as unknown as { __gambit: Hook }).__gambit.state());

async function play(page: Page, uci: string): Promise<void> {
  await page.waitForSelector('#board .board.input-enabled', { timeout: STEP_MS });
  await page.click(`#board .board [data-square="${uci.slice(0, 2)}"]`);
  await page.click(`#board .board [data-square="${uci.slice(2, 4)}"]`);
}

const movesShown = (page: Page, n: number) =>
  page.waitForFunction((count) => document.querySelectorAll('#moves .san').length >= count, n, { timeout: STEP_MS });

/** Fool's mate with `white` and `black` moving alternately; both pages show every move and the result. */
async function foolsMate(white: Page, black: Page): Promise<void> {
  for (const [i, uci] of FOOLS_MATE.entries()) {
    await play(i % 2 ? black : white, uci);
    await movesShown(white, i + 1);
    await movesShown(black, i + 1);
  }
  for (const page of [white, black]) {
    await page.waitForFunction(() => document.querySelector('#result')?.textContent === '0-1 · checkmate', null, { timeout: STEP_MS });
  }
}

/** The series points shown beside each side's player: [white, black]. */
async function seriesShown(page: Page, white: string, black: string): Promise<void> {
  await page.waitForFunction(([w, b]) =>
    document.querySelector('[data-testid="series-white"]')?.textContent === w && document.querySelector('[data-testid="series-black"]')?.textContent === b,
  [white, black], { timeout: STEP_MS });
}

/** The side of the player bar under the board (ours, for a player). */
const bottomSide = (page: Page) => page.getAttribute('.board-col > .slot:last-child .player', 'data-side');

/** The finalizer's list of a player's games, through the gateway, once it holds `n` games. */
async function storedGames(playerId: string, n: number): Promise<{ gameId: string; room: string; color: string }[]> {
  const deadline = Date.now() + STEP_MS;
  while (Date.now() < deadline) {
    const res = await fetch(`${stack.httpUrl}/api/players/${playerId}/games`);
    const body = res.ok ? ((await res.json()) as { games: { gameId: string; room: string; color: string }[] }) : null;
    if (body && body.games.length >= n) return body.games;
    await new Promise((r) => setTimeout(r, 100)); // the finalizer writes once the game has ended
  }
  throw new Error(`player ${playerId} has fewer than ${n} stored games after ${STEP_MS} ms`);
}

describe('rematch on the live screen', () => {
  test('finish, rematch (offer, accept), colours swapped, series 1-0, finish again: two stored games; New game ends the next offer', async () => {
    const alice = await newPlayer();
    const bob = await newPlayer();
    await alice.selectOption('#color', 'white');
    await alice.click('#create');
    await alice.waitForFunction(() => /^[A-Z2-9]{8}$/.test(document.querySelector('#room-code')?.textContent ?? ''), null, { timeout: STEP_MS });
    const room = (await alice.textContent('#room-code')) ?? '';
    await bob.fill('#join-code', room);
    await bob.click('#join');
    await bob.waitForURL(`${stack.httpUrl}/room/${room}`, { timeout: STEP_MS });

    // Game 1: alice (White) is mated by bob. No score shows before the first result.
    await alice.waitForSelector('#board .board.input-enabled', { timeout: STEP_MS });
    expect(await alice.$('[data-testid="series-white"]')).toBeNull();
    await foolsMate(alice, bob);
    await seriesShown(alice, '0', '1');
    await seriesShown(bob, '0', '1');

    // alice offers; bob gets the prompt with her name and accepts.
    await alice.click('#rematch');
    await alice.waitForFunction(() => document.querySelector('#rematch')?.textContent?.includes('offered'), null, { timeout: STEP_MS });
    await bob.waitForSelector('#rematch-prompt:not([hidden])', { timeout: STEP_MS });
    expect(await bob.textContent('#rematch-prompt span')).toContain('offers a rematch');
    expect(await bob.isHidden('#rematch')).toBe(true);
    await bob.click('#rematch-accept');

    // Game 2: colours swapped, the board back at the start and turned, the score carried: 1-0 for bob.
    for (const page of [alice, bob]) {
      await page.waitForFunction(() => (window as unknown as { __gambit: Hook }).__gambit.state().status === 'active', null, { timeout: STEP_MS });
    }
    expect(await gameState(alice)).toMatchObject({ room, color: 'black', fen: START_FEN });
    expect(await gameState(bob)).toMatchObject({ room, color: 'white', fen: START_FEN });
    expect(await bottomSide(alice)).toBe('black');
    expect(await bottomSide(bob)).toBe('white');
    expect(await alice.isHidden('#game-over')).toBe(true);
    expect(await alice.$$eval('#moves .san', (els) => els.length)).toBe(0);
    await seriesShown(alice, '1', '0'); // White is bob now
    await seriesShown(bob, '1', '0');

    // bob (White) is mated by alice this time: 1-1.
    await foolsMate(bob, alice);
    await seriesShown(alice, '1', '1');

    const aliceId = (await gameState(alice)).me ?? '';
    const games = await storedGames(aliceId, 2);
    expect(games).toHaveLength(2);
    expect(games.every((g) => g.room === room)).toBe(true);
    expect(new Set(games.map((g) => g.gameId)).size).toBe(2);
    expect(games.map((g) => g.color).sort()).toEqual(['black', 'white']);

    // alice offers a third game; bob takes New game instead: he leaves the room, the offer is off.
    await alice.click('#rematch');
    await bob.waitForSelector('#rematch-prompt:not([hidden])', { timeout: STEP_MS });
    await bob.click('#new-game');
    await alice.waitForFunction(() => document.querySelector('#rematch')?.textContent === 'Opponent left', null, { timeout: STEP_MS });
    expect(await alice.isDisabled('#rematch')).toBe(true);
    expect(await alice.textContent('#toast')).toContain('left');
    expect(pageErrors).toEqual([]);
  }, 90_000);
});
