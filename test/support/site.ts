// The rig every browser test shares: the page built into a directory of its own (web/dist may be
// rebuilt by something else at the same time), the whole stack serving it (stack.ts), one real
// Chromium (playwright-core; with a fake camera and microphone for video calls when asked), each
// page in its own context, and the few things every such test does on the site (sign up, make a
// move, wait for moves). One place, so the e2e files say only what they test.
import { afterAll, beforeAll } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { startStack, type Stack, type StackOptions } from './stack.js';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const ARTIFACTS = join(ROOT, 'artifacts'); // screenshots, kept after the run
export const STEP_MS = 10_000; // upper bound for any single UI state change
export const PASSWORD = 'a long enough secret';
export const FOOLS_MATE = ['f2f3', 'e7e5', 'g2g4', 'd8h4']; // Black mates

export type ContextOptions = NonNullable<Parameters<Browser['newContext']>[0]>;

export interface Site {
  stack: Stack;
  browser: Browser;
  /** The page's own build, served by this stack's gateway (another stack may serve it too). */
  webRoot: string;
  /** Uncaught errors of every page of this site, in order: a test ends expecting none. */
  pageErrors: string[];
  /** A blank page in a new context (its own storage: its own player). */
  newPage(options?: ContextOptions): Promise<Page>;
  /** A page on the home screen with its socket online; `prepare` runs before the page is opened. */
  newPlayer(options?: ContextOptions, prepare?: (page: Page) => unknown): Promise<Page>;
  stop(): Promise<void>;
}

/**
 * A site for one test file: started before its tests (60 s allowed), stopped after them (30 s). The
 * object is filled in by beforeAll, so it is read only inside hooks and tests.
 */
export function useSite(opts: SiteOptions = {}): Site {
  const site = {} as Site;
  beforeAll(async () => {
    Object.assign(site, await startSite(opts));
  }, 60_000);
  afterAll(async () => {
    await site.stop?.();
  }, 30_000);
  return site;
}

export interface SiteOptions extends StackOptions {
  /**
   * A fake camera and microphone (a test pattern and a tone), granted without asking: video calls
   * run without devices or a person to click the browser's prompt.
   */
  fakeMedia?: boolean;
}

export async function startSite(options: SiteOptions = {}): Promise<Site> {
  const { fakeMedia, ...opts } = options;
  const webRoot = await mkdtemp(join(tmpdir(), 'gambit-web-'));
  const started = await Promise.allSettled([
    buildPage(webRoot).then(() => startStack({ ...opts, gateway: { WEB_ROOT: webRoot, ...opts.gateway } })),
    chromium.launch({
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
        '--disable-sync', '--no-first-run', '--disable-quic',
        ...(fakeMedia ? ['--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream'] : [])],
    }),
  ]);
  const [stack, browser] = started;
  if (stack.status === 'rejected' || browser.status === 'rejected') {
    // Nothing half-started is left behind.
    if (stack.status === 'fulfilled') await stack.value.stop();
    if (browser.status === 'fulfilled') await browser.value.close();
    await rm(webRoot, { recursive: true, force: true });
    throw stack.status === 'rejected' ? stack.reason : (browser as PromiseRejectedResult).reason;
  }
  return site(stack.value, browser.value, webRoot);
}

async function buildPage(outdir: string): Promise<void> {
  execFileSync(process.execPath, ['web/build.js', '--outdir', outdir], { cwd: ROOT, stdio: 'pipe' });
  await mkdir(ARTIFACTS, { recursive: true });
}

function site(stack: Stack, browser: Browser, webRoot: string): Site {
  const contexts: BrowserContext[] = [];
  const pageErrors: string[] = [];
  const newPage = async (options: ContextOptions = {}) => {
    // Reduced motion: the client then skips piece animations, during which cm-chessboard ignores
    // input (a click on a slow machine would be lost).
    const context = await browser.newContext({ reducedMotion: 'reduce', acceptDownloads: true, ...options });
    contexts.push(context);
    const page = await context.newPage();
    page.on('pageerror', (err) => pageErrors.push(String(err)));
    return page;
  };
  return {
    stack, browser, webRoot, pageErrors, newPage,
    async newPlayer(options = {}, prepare) {
      const page = await newPage(options);
      await prepare?.(page);
      await page.goto(stack.httpUrl);
      await page.waitForSelector('#conn-state[data-state="online"]', { timeout: STEP_MS });
      return page;
    },
    async stop() {
      try {
        await Promise.allSettled(contexts.map((c) => c.close()));
        await browser.close();
        await stack.stop();
      } finally {
        await rm(webRoot, { recursive: true, force: true });
      }
    },
  };
}

/** Home, "Sign up", the provider's own form, and back on the site signed in (and online) as `username`. */
export async function signUpInBrowser(page: Page, site: Site, username: string): Promise<void> {
  const { httpUrl, accounts } = site.stack;
  await page.goto(httpUrl);
  await page.click('[data-testid="sign-up"]', { timeout: STEP_MS });
  await page.waitForURL((u) => u.origin === accounts!.issuer, { timeout: STEP_MS });
  await page.fill('#username', username);
  await page.fill('#password', PASSWORD);
  await page.click('button[type="submit"]');
  await page.waitForURL((u) => u.origin === httpUrl, { timeout: STEP_MS });
  await page.waitForFunction((name) => document.querySelector('a#me')?.textContent === name, username, { timeout: STEP_MS });
  await page.waitForSelector('#conn-state[data-state="online"]', { timeout: STEP_MS });
}

// The client's test hook (web/src/main.ts): read-only facts about this tab's game.
export interface GameState { me: string | null; room: string | null; color: string | null; fen: string; status: string; seq: number }
interface Hook { state(): GameState }
export const gameState = (page: Page) => page.evaluate(() => (window as unknown as { __gambit: Hook }).__gambit.state());
// The hook exists once the page's script has run: on a slow machine the first polls come before.
export const activeGame = (page: Page) =>
  page.waitForFunction(() => (window as unknown as { __gambit?: Hook }).__gambit?.state().status === 'active', null, { timeout: STEP_MS });

/** The room code the waiting screen shows once the room exists. */
export async function roomCode(page: Page): Promise<string> {
  await page.waitForFunction(() => /^[A-Z2-9]{8}$/.test(document.querySelector('#room-code')?.textContent ?? ''), null, { timeout: STEP_MS });
  return (await page.textContent('#room-code')) ?? '';
}

/** Plays a move by clicking (or tapping) two squares, once the board accepts input from this page. */
export async function playMove(page: Page, uci: string, how: 'click' | 'tap' = 'click'): Promise<void> {
  await page.waitForSelector('#board[data-input="move"] .board.input-enabled', { timeout: STEP_MS });
  await page[how](`#board .board [data-square="${uci.slice(0, 2)}"]`);
  await page[how](`#board .board [data-square="${uci.slice(2, 4)}"]`);
}

/** Waits until the move list shows at least `n` moves; on timeout says what the page did show. */
export async function movesShown(page: Page, n: number): Promise<void> {
  try {
    await page.waitForFunction((count) => document.querySelectorAll('#moves .san').length >= count, n, { timeout: STEP_MS });
  } catch (err) {
    const seen = await page.evaluate(() => ({
      moves: document.querySelector('#moves')?.textContent, toast: document.querySelector('#toast')?.textContent,
      state: (window as unknown as { __gambit: Hook }).__gambit.state(),
    }));
    throw new Error(`expected ${n} moves on the page: ${JSON.stringify(seen)}`, { cause: err });
  }
}

/** Fool's mate with `white` and `black` moving alternately; both pages show every move and the result. */
export async function finishFoolsMate(white: Page, black: Page): Promise<void> {
  for (const [i, uci] of FOOLS_MATE.entries()) {
    await playMove(i % 2 ? black : white, uci);
    await movesShown(white, i + 1);
    await movesShown(black, i + 1);
  }
  for (const page of [white, black]) {
    await page.waitForFunction(() => document.querySelector('#result')?.textContent === '0-1 · checkmate', null, { timeout: STEP_MS });
  }
}

export interface StoredGame { gameId: string; room: string; color: string }

/** The finalizer's list of a player's games, through the gateway, once it holds `n` games. */
export async function storedGames(site: Site, playerId: string, n: number): Promise<StoredGame[]> {
  const deadline = Date.now() + STEP_MS;
  while (Date.now() < deadline) {
    const res = await fetch(`${site.stack.httpUrl}/api/players/${playerId}/games`);
    const body = res.ok ? ((await res.json()) as { games: StoredGame[] }) : null;
    if (body && body.games.length >= n) return body.games;
    await new Promise((r) => setTimeout(r, 100)); // the finalizer writes once the game has ended
  }
  throw new Error(`player ${playerId} has fewer than ${n} stored games after ${STEP_MS} ms`);
}
