// A rated game in Chromium between two people who signed up on the provider's pages: the Rated box
// (off for guests), the game-over panel's rating change once the finalizer stored the game, and
// both player pages showing the new ratings (from the ratings module's own numbers) and a history.
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { display, newPlayer, rateGame } from '@gambit/ratings';
import { startStack, type Stack } from '../support/stack.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const STEP_MS = 10_000; // upper bound for any single UI state change
const FOOLS_MATE = ['f2f3', 'e7e5', 'g2g4', 'd8h4'];

let webRoot: string;
let stack: Stack;
let browser: Browser;
const contexts: BrowserContext[] = [];
const pageErrors: string[] = [];

beforeAll(async () => {
  webRoot = await mkdtemp(join(tmpdir(), 'gambit-web-')); // its own build: other browser tests rebuild web/dist
  execFileSync(process.execPath, ['web/build.js', '--outdir', webRoot], { cwd: ROOT, stdio: 'pipe' });
  [stack, browser] = await Promise.all([
    startStack({ accounts: true, gateway: { WEB_ROOT: webRoot } }),
    chromium.launch({
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
    }),
  ]);
}, 60_000);

afterAll(async () => {
  await Promise.allSettled(contexts.map((c) => c.close()));
  await browser?.close();
  await stack?.stop();
  if (webRoot) await rm(webRoot, { recursive: true, force: true });
}, 30_000);

async function newPage(): Promise<Page> {
  const context = await browser.newContext({ reducedMotion: 'reduce' });
  contexts.push(context);
  const page = await context.newPage();
  page.on('pageerror', (err) => pageErrors.push(String(err)));
  return page;
}

/** Home, "Sign up", the provider's form, and back on the site signed in as `username`. */
async function signUp(page: Page, username: string): Promise<void> {
  await page.goto(stack.httpUrl);
  await page.click('[data-testid="sign-up"]', { timeout: STEP_MS });
  await page.waitForURL((u) => u.origin === stack.accounts!.issuer, { timeout: STEP_MS });
  await page.fill('#username', username);
  await page.fill('#password', 'a long enough secret');
  await page.click('button[type="submit"]');
  await page.waitForURL((u) => u.origin === stack.httpUrl, { timeout: STEP_MS });
  await page.waitForSelector('#conn-state[data-state="online"]', { timeout: STEP_MS });
}

async function play(page: Page, uci: string): Promise<void> {
  await page.waitForSelector('#board .board.input-enabled', { timeout: STEP_MS });
  await page.click(`#board .board [data-square="${uci.slice(0, 2)}"]`);
  await page.click(`#board .board [data-square="${uci.slice(2, 4)}"]`);
}

describe('a rated game', () => {
  test('guests cannot tick Rated; two signed-in players play one and see their ratings change', async () => {
    const guest = await newPage();
    await guest.goto(stack.httpUrl);
    await guest.waitForSelector('#conn-state[data-state="online"]', { timeout: STEP_MS });
    expect(await guest.isDisabled('#rated')).toBe(true);

    const [carol, dave] = [await newPage(), await newPage()];
    await signUp(carol, 'carol');
    await signUp(dave, 'dave');
    await carol.selectOption('#tc', '3+2');
    await carol.selectOption('#color', 'white');
    await carol.check('#rated');
    await carol.click('#create');
    await carol.waitForFunction(() => /^[A-Z2-9]{8}$/.test(document.querySelector('#room-code')?.textContent ?? ''), null, { timeout: STEP_MS });
    await dave.fill('#join-code', (await carol.textContent('#room-code')) ?? '');
    await dave.click('#join');
    for (const [i, uci] of FOOLS_MATE.entries()) {
      await play(i % 2 ? dave : carol, uci);
      for (const p of [carol, dave]) await p.waitForFunction((n) => document.querySelectorAll('#moves .san').length >= n, i + 1, { timeout: STEP_MS });
    }

    // What the ratings module gives two new players when black wins (a first game: no idle time).
    const want = rateGame(newPlayer(), newPlayer(), 0, Date.now());
    for (const p of [carol, dave]) {
      await p.waitForSelector('[data-testid="rating-change"]', { timeout: STEP_MS });
      const diff = (side: string) => p.textContent(`[data-testid="rating-diff-${side}"]`);
      expect(await diff('white')).toBe(`−${1500 - Math.round(want.white.rating)}`);
      expect(await diff('black')).toBe(`+${Math.round(want.black.rating) - 1500}`);
    }

    for (const [name, after] of [['carol', want.white], ['dave', want.black]] as const) {
      await carol.goto(`${stack.httpUrl}/@/${name}`);
      await carol.waitForSelector('[data-testid="rating-history"]', { timeout: STEP_MS });
      expect(await carol.textContent('[data-testid="rating-blitz"]')).toBe(display(after.rating, after.rd));
      expect(await carol.textContent('[data-testid="rating-blitz"]')).not.toBe('1500?');
      expect(await carol.textContent('[data-testid="rating-bullet"]')).toBe('1500?');
      expect(await carol.locator('[data-testid="rating-history"] li[data-speed="blitz"] polyline').count()).toBe(1);
    }
    expect(pageErrors).toEqual([]);
  }, 90_000);
});
