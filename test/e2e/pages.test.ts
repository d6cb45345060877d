// The site's screens in real Chromium against the whole stack (gateway, engine, finalizer,
// redis-server, dynalite): a game played on the live screen, then its replay (/game/<id>), the
// URLs the gateway answers with the page, and a stack that offers no guest sign-in at all. Player
// pages of real accounts are in accounts.test.ts.
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Chess } from 'chess.js';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { startStack, type Stack } from '../support/stack.js';
import { HttpBrowser } from '../support/http-browser.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const STEP_MS = 10_000; // upper bound for any single UI state change
const FOOLS_MATE = ['f2f3', 'e7e5', 'g2g4', 'd8h4'];

let webRoot: string;
let stack: Stack;
let browser: Browser;
const contexts: BrowserContext[] = [];
const pageErrors: string[] = [];

beforeAll(async () => {
  // Its own build of the page (not web/dist, which browser.test.ts rebuilds at the same time).
  webRoot = await mkdtemp(join(tmpdir(), 'gambit-web-'));
  execFileSync(process.execPath, ['web/build.js', '--outdir', webRoot], { cwd: ROOT, stdio: 'pipe' });
  [stack, browser] = await Promise.all([
    startStack({ accounts: true, gateway: { WEB_ROOT: webRoot } }),
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

async function newPage(options: Parameters<Browser['newContext']>[0] = {}): Promise<Page> {
  // Reduced motion: no piece animations, during which cm-chessboard ignores input.
  const context = await browser.newContext({ reducedMotion: 'reduce', acceptDownloads: true, ...options });
  contexts.push(context);
  const page = await context.newPage();
  page.on('pageerror', (err) => pageErrors.push(String(err)));
  return page;
}

/** A player on the home page; with `account`, signed up (over HTTP, the provider's form) and signed in. */
async function newPlayer(options: Parameters<Browser['newContext']>[0] = {}, account?: string): Promise<Page> {
  const page = await newPage(options);
  if (account) {
    const b = new HttpBrowser(stack.httpUrl);
    await b.signUp(account, 'a long enough secret');
    await page.context().addCookies([{ name: 'gambit_sid', value: b.cookie('gambit_sid')!, url: stack.httpUrl }]);
  }
  await page.goto(stack.httpUrl);
  await page.waitForSelector('#conn-state[data-state="online"]', { timeout: STEP_MS });
  return page;
}

interface Hook { state(): { me: string | null; room: string | null; color: string | null; status: string } }
const gameState = (page: Page) => page.evaluate(() => (window as unknown as { __gambit: Hook }).__gambit.state());

async function play(page: Page, uci: string): Promise<void> {
  await page.waitForSelector('#board .board.input-enabled', { timeout: STEP_MS });
  await page.click(`#board .board [data-square="${uci.slice(0, 2)}"]`);
  await page.click(`#board .board [data-square="${uci.slice(2, 4)}"]`);
}

const movesShown = (page: Page, n: number) =>
  page.waitForFunction((count) => document.querySelectorAll('#moves .san').length >= count, n, { timeout: STEP_MS });

/** The finalizer's list of a player's games, through the gateway, once it holds `n` games. */
async function storedGames(playerId: string, n: number): Promise<{ gameId: string; room: string }[]> {
  const deadline = Date.now() + STEP_MS;
  while (Date.now() < deadline) {
    const res = await fetch(`${stack.httpUrl}/api/players/${playerId}/games`);
    const body = res.ok ? ((await res.json()) as { games: { gameId: string; room: string }[] }) : null;
    if (body && body.games.length >= n) return body.games;
    await new Promise((r) => setTimeout(r, 100)); // the finalizer writes once the game has ended
  }
  throw new Error(`player ${playerId} has fewer than ${n} stored games after ${STEP_MS} ms`);
}

/** Every position of fool's mate, by chess.js: what the replay must show at each ply. */
function foolsMateFens(): string[] {
  const chess = new Chess();
  return [chess.fen(), ...FOOLS_MATE.map((m) => (chess.move({ from: m.slice(0, 2), to: m.slice(2, 4) }), chess.fen()))];
}

const shownPly = async (page: Page) => Number(await page.getAttribute('#replay-ply', 'data-ply'));
async function atPly(page: Page, ply: number): Promise<void> {
  await page.waitForSelector(`#replay-ply[data-ply="${ply}"]`, { timeout: STEP_MS });
}

/** No sideways scrolling: the page is no wider than the viewport. */
const fitsWidth = (page: Page) => page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth);

describe('site screens', () => {
  let gameId = '';
  let room = '';
  let whiteId = '';

  beforeAll(async () => {
    // Two players (alice has an account, black is a guest) play fool's mate on the live screen to
    // its end; the finalizer stores it.
    const white = await newPlayer({}, 'alice');
    const black = await newPlayer();
    await white.selectOption('#tc', '3+2');
    await white.selectOption('#color', 'white');
    await white.click('#create');
    await white.waitForFunction(() => /^[A-Z2-9]{8}$/.test(document.querySelector('#room-code')?.textContent ?? ''), null, { timeout: STEP_MS });
    room = (await white.textContent('#room-code')) ?? '';
    await black.fill('#join-code', room);
    await black.click('#join');
    await black.waitForURL(`${stack.httpUrl}/room/${room}`, { timeout: STEP_MS });
    for (const [i, uci] of FOOLS_MATE.entries()) {
      await play(i % 2 ? black : white, uci);
      await movesShown(white, i + 1);
      await movesShown(black, i + 1);
    }
    await white.waitForFunction(() => document.querySelector('#result')?.textContent === '0-1 · checkmate', null, { timeout: STEP_MS });
    whiteId = (await gameState(white)).me ?? '';
    expect(whiteId).not.toBe('');
    const games = await storedGames(whiteId, 1);
    expect(games[0]!.room).toBe(room);
    gameId = games[0]!.gameId;
  }, 60_000);

  test('the replay: arrow keys, buttons and a click on a move; FEN and board follow; #ply survives a reload; PGN download', async () => {
    const fens = foolsMateFens();
    const page = await newPage({ viewport: { width: 1280, height: 800 } });
    await page.goto(`${stack.httpUrl}/game/${gameId}`);
    await atPly(page, 4); // a finished game opens on its final position
    expect(await page.textContent('#replay-result')).toBe('0-1 · Black wins by checkmate');
    expect(await page.textContent('#replay-fen')).toBe(fens[4]);
    await page.waitForSelector('#replay-board .pieces [data-square="h4"][data-piece="bq"]', { timeout: STEP_MS });
    expect(await page.textContent('#replay-clock-white')).toMatch(/^3:0\d$/); // 3 + 2: the increments were added

    await page.keyboard.press('ArrowLeft');
    await atPly(page, 3);
    expect(await page.textContent('#replay-fen')).toBe(fens[3]);
    await page.waitForSelector('#replay-board .pieces [data-square="d8"][data-piece="bq"]', { timeout: STEP_MS });
    expect(await page.locator('#replay-board .pieces [data-square="h4"]').count()).toBe(0);
    await page.keyboard.press('ArrowLeft');
    await atPly(page, 2);
    await page.keyboard.press('ArrowRight');
    await atPly(page, 3);

    await page.click('#replay-first');
    await atPly(page, 0);
    expect(await page.textContent('#replay-fen')).toBe(fens[0]);
    expect(await page.isDisabled('#replay-back')).toBe(true);
    await page.click('#replay-forward');
    await atPly(page, 1);
    expect(await page.textContent('#replay-fen')).toBe(fens[1]);
    await page.click('#replay-last');
    await atPly(page, 4);
    await page.click('#replay-moves .san[data-ply="2"]'); // 1… e5
    await atPly(page, 2);
    expect(await page.textContent('#replay-fen')).toBe(fens[2]);
    expect(await page.getAttribute('#replay-moves .san[data-ply="2"]', 'aria-current')).toBe('true');
    expect(new URL(page.url()).hash).toBe('#2');

    await page.reload();
    await atPly(page, 2);
    expect(await page.textContent('#replay-fen')).toBe(fens[2]);
    await page.waitForSelector('#replay-board .pieces [data-square="e5"][data-piece="bp"]', { timeout: STEP_MS });

    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#replay-pgn')]);
    expect(download.suggestedFilename()).toBe(`gambit-${gameId}.pgn`);
    const pgn = await readFile((await download.path())!, 'utf8');
    expect(pgn).toMatch(/1\. f3 e5 2\. g4 Qh4#/);
    expect(pgn).toContain('0-1');
    await page.screenshot({ path: `${ROOT}artifacts/e2e-replay.png` });
    expect(pageErrors).toEqual([]);
  }, 60_000);

  test('unknown names and ids get their own screens; a player without finished games shows zeros', async () => {
    const page = await newPage();
    await page.goto(`${stack.httpUrl}/@/nobody-here`);
    await page.waitForSelector('[data-testid="no-such-player"]', { timeout: STEP_MS });
    await page.goto(`${stack.httpUrl}/game/no-such-game-id`);
    await page.waitForSelector('[data-testid="no-such-game"]', { timeout: STEP_MS });
    await page.goto(`${stack.httpUrl}/game/not%20an%20id`); // not even an id (the gateway says 400)
    await page.waitForSelector('[data-testid="no-such-game"]', { timeout: STEP_MS });

    // An account that never played (nor opened a socket).
    await new HttpBrowser(stack.httpUrl).signUp('newbie', 'a long enough secret');
    await page.goto(`${stack.httpUrl}/@/newbie`);
    await page.waitForSelector('[data-testid="no-games"]', { timeout: STEP_MS });
    expect(await page.textContent('[data-testid="stat-games"]')).toBe('0');
    expect(await page.textContent('[data-testid="presence"]')).toBe('Not seen online yet');
    expect(pageErrors).toEqual([]);
  }, 30_000);

  test('at phone width (375 px) the replay, player and home screens fit without sideways scrolling', async () => {
    const phone = await newPage({ viewport: { width: 375, height: 740 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 });
    await phone.goto(`${stack.httpUrl}/game/${gameId}#3`);
    await atPly(phone, 3);
    const board = await phone.locator('#replay-board svg.cm-chessboard').boundingBox();
    expect(board).not.toBeNull();
    expect(board!.x).toBeGreaterThanOrEqual(0);
    expect(board!.x + board!.width).toBeLessThanOrEqual(375);
    expect(board!.width).toBeGreaterThan(330);
    expect(await fitsWidth(phone)).toBe(true);
    await phone.tap('#replay-forward');
    await atPly(phone, 4);
    await phone.screenshot({ path: `${ROOT}artifacts/e2e-phone-replay.png` });

    await phone.goto(`${stack.httpUrl}/@/alice`);
    await phone.waitForSelector('[data-testid="game-row"]', { timeout: STEP_MS });
    expect(await fitsWidth(phone)).toBe(true);
    await phone.goto(stack.httpUrl);
    await phone.waitForSelector('#create', { timeout: STEP_MS });
    expect(await fitsWidth(phone)).toBe(true);
    expect(await shownPlyOrNull(phone)).toBeNull();
    expect(pageErrors).toEqual([]);
  }, 60_000);

  test('a player can leave the live screen and come back (home link, Back): the game and its socket stay', async () => {
    const white = await newPlayer();
    const black = await newPlayer();
    await white.selectOption('#color', 'white');
    await white.click('#create');
    await white.waitForFunction(() => /^[A-Z2-9]{8}$/.test(document.querySelector('#room-code')?.textContent ?? ''), null, { timeout: STEP_MS });
    const code = (await white.textContent('#room-code')) ?? '';
    await white.click('header .brand'); // to the home page, in the page (no reload)
    await white.waitForSelector('[data-testid="game-in-progress"] a', { timeout: STEP_MS });
    await white.click('[data-testid="game-in-progress"] a');
    await white.waitForURL(`${stack.httpUrl}/room/${code}`, { timeout: STEP_MS });
    expect(await white.textContent('#room-code')).toBe(code); // still the creator's waiting card

    await black.goto(`${stack.httpUrl}/room/${code}`);
    await white.waitForFunction(() => (window as unknown as { __gambit: Hook }).__gambit.state().status === 'active', null, { timeout: STEP_MS });
    await white.click('header .brand');
    await white.waitForSelector('#home', { timeout: STEP_MS });
    await white.goBack();
    await white.waitForURL(`${stack.httpUrl}/room/${code}`, { timeout: STEP_MS });
    await play(white, 'e2e4');
    await movesShown(black, 1);
    expect(await black.textContent('#player-white .presence')).toBe(''); // white never looked disconnected
    expect(pageErrors).toEqual([]);
  }, 60_000);

  test('the gateway answers the page for client routes, and never for the API, auth, socket or metrics paths', async () => {
    for (const path of ['/', `/room/${room}`, '/@/alice', `/game/${gameId}`, '/account']) {
      const res = await fetch(`${stack.httpUrl}${path}`);
      expect([path, res.status, res.headers.get('content-type'), res.headers.get('cache-control')])
        .toEqual([path, 200, 'text/html; charset=utf-8', 'no-cache']);
      expect(await res.text()).toContain('<div id="app">');
    }
    // The bundle named in the page by its content hash: cached for good; the board sprites briefly.
    const bundle = /src="(\/app-[A-Z0-9]+\.js)"/.exec(await (await fetch(stack.httpUrl)).text())?.[1];
    expect(bundle).toBeDefined();
    const asset = await fetch(`${stack.httpUrl}${bundle}`);
    expect([asset.status, asset.headers.get('content-type'), asset.headers.get('cache-control')])
      .toEqual([200, 'text/javascript; charset=utf-8', 'public, max-age=31536000, immutable']);
    const sprite = await fetch(`${stack.httpUrl}/assets/pieces/standard.svg`);
    expect([sprite.status, sprite.headers.get('cache-control')]).toEqual([200, 'public, max-age=300']);
    for (const path of ['/api/nothing', '/ws', '/metrics/x', '/room/a/b', '/games']) {
      const res = await fetch(`${stack.httpUrl}${path}`);
      expect([path, res.status]).toEqual([path, 404]);
      expect(res.headers.get('content-type')).toBe('application/json');
    }
    // The accounts service's paths are its own answers, never the page.
    const user = await fetch(`${stack.httpUrl}/api/users/alice`);
    expect([user.status, user.headers.get('content-type')]).toEqual([200, 'application/json; charset=utf-8']);
    const login = await fetch(`${stack.httpUrl}/auth/login`, { redirect: 'manual' });
    expect([login.status, new URL(login.headers.get('location')!).origin]).toEqual([302, stack.accounts!.issuer]);
  });
});

async function shownPlyOrNull(page: Page): Promise<number | null> {
  return (await page.locator('#replay-ply').count()) ? shownPly(page) : null;
}

describe('a stack without guest sign-in', () => {
  let noGuests: Stack;
  beforeAll(async () => {
    // Guests off and no accounts service: only an OIDC sign-in (never used here) remains.
    noGuests = await startStack({
      gateway: { WEB_ROOT: webRoot, GUEST_TOKENS: 'false', OIDC_ISSUER: 'https://issuer.invalid/', OIDC_AUDIENCE: 'gambit' },
    });
  }, 60_000);
  afterAll(async () => {
    await noGuests?.stop();
  }, 30_000);

  test('the page says so and links to sign in, instead of retrying for ever', async () => {
    const page = await newPage();
    const asked: string[] = [];
    await page.clock.install(); // the page's timers, run forward below instead of waiting
    page.on('request', (req) => {
      if (/\/api\/(guest|session)$/.test(new URL(req.url()).pathname)) asked.push(new URL(req.url()).pathname);
    });
    await page.goto(noGuests.httpUrl);
    await page.waitForSelector('[data-testid="no-session"]', { timeout: STEP_MS });
    expect(await page.textContent('[data-testid="no-session"]')).toContain('Sign in');
    expect(await page.getAttribute('[data-testid="no-session"] a', 'href')).toBe('/auth/login?return=%2F');
    expect(await page.isDisabled('#create')).toBe(true);
    // The old page asked again every 2 s: a minute of the page's time passes without another ask.
    await page.clock.runFor(60_000);
    expect(asked).toEqual(['/api/session', '/api/guest']);
    expect(await page.getAttribute('#conn-state', 'data-state')).toBe('offline');
    expect(pageErrors).toEqual([]);
  }, 30_000);
});
