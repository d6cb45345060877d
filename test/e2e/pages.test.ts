// The site's screens in real Chromium against the whole stack (gateway, engine, finalizer,
// redis-server, dynalite): a game played on the live screen, then its replay (/game/<id>), the
// URLs the gateway answers with the page, and a stack that offers no guest sign-in at all. Player
// pages of real accounts are in accounts.test.ts.
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { readFile } from 'node:fs/promises';
import { Chess } from 'chess.js';
import type { Page } from 'playwright-core';
import { startStack, type Stack } from '../support/stack.js';
import { HttpBrowser } from '../support/http-browser.js';
import {
  activeGame, ARTIFACTS, finishFoolsMate, FOOLS_MATE, gameState, PASSWORD, playMove, movesShown, roomCode, useSite, STEP_MS,
  storedGames, type ContextOptions,
} from '../support/site.js';

const site = useSite({ accounts: true });

/** A player on the home page; with `account`, signed up (over HTTP, the provider's form) and signed in. */
async function newPlayer(options: ContextOptions = {}, account?: string): Promise<Page> {
  return site.newPlayer(options, account ? async (page) => {
    const b = new HttpBrowser(site.stack.httpUrl);
    await b.signUp(account, PASSWORD);
    await page.context().addCookies([{ name: 'gambit_sid', value: b.cookie('gambit_sid')!, url: site.stack.httpUrl }]);
  } : undefined);
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
    room = await roomCode(white);
    await black.fill('#join-code', room);
    await black.click('#join');
    await black.waitForURL(`${site.stack.httpUrl}/room/${room}`, { timeout: STEP_MS });
    await finishFoolsMate(white, black);
    whiteId = (await gameState(white)).me ?? '';
    expect(whiteId).not.toBe('');
    const games = await storedGames(site, whiteId, 1);
    expect(games[0]!.room).toBe(room);
    gameId = games[0]!.gameId;
  }, 60_000);

  test('the replay: arrow keys, buttons and a click on a move; FEN and board follow; #ply survives a reload; PGN download', async () => {
    const fens = foolsMateFens();
    const page = await site.newPage({ viewport: { width: 1280, height: 800 } });
    await page.goto(`${site.stack.httpUrl}/game/${gameId}`);
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
    await page.screenshot({ path: `${ARTIFACTS}/e2e-replay.png` });
    expect(site.pageErrors).toEqual([]);
  }, 60_000);

  test('unknown names and ids get their own screens; a player without finished games shows zeros', async () => {
    const page = await site.newPage();
    await page.goto(`${site.stack.httpUrl}/@/nobody-here`);
    await page.waitForSelector('[data-testid="no-such-player"]', { timeout: STEP_MS });
    await page.goto(`${site.stack.httpUrl}/game/no-such-game-id`);
    await page.waitForSelector('[data-testid="no-such-game"]', { timeout: STEP_MS });
    await page.goto(`${site.stack.httpUrl}/game/not%20an%20id`); // not even an id (the gateway says 400)
    await page.waitForSelector('[data-testid="no-such-game"]', { timeout: STEP_MS });

    // An account that never played (nor opened a socket).
    await new HttpBrowser(site.stack.httpUrl).signUp('newbie', PASSWORD);
    await page.goto(`${site.stack.httpUrl}/@/newbie`);
    await page.waitForSelector('[data-testid="no-games"]', { timeout: STEP_MS });
    expect(await page.textContent('[data-testid="stat-games"]')).toBe('0');
    expect(await page.textContent('[data-testid="presence"]')).toBe('Not seen online yet');
    expect(site.pageErrors).toEqual([]);
  }, 30_000);

  test('at phone width (375 px) the replay, player and home screens fit without sideways scrolling', async () => {
    const phone = await site.newPage({ viewport: { width: 375, height: 740 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 });
    await phone.goto(`${site.stack.httpUrl}/game/${gameId}#3`);
    await atPly(phone, 3);
    const board = await phone.locator('#replay-board svg.cm-chessboard').boundingBox();
    expect(board).not.toBeNull();
    expect(board!.x).toBeGreaterThanOrEqual(0);
    expect(board!.x + board!.width).toBeLessThanOrEqual(375);
    expect(board!.width).toBeGreaterThan(330);
    expect(await fitsWidth(phone)).toBe(true);
    await phone.tap('#replay-forward');
    await atPly(phone, 4);
    await phone.screenshot({ path: `${ARTIFACTS}/e2e-phone-replay.png` });

    await phone.goto(`${site.stack.httpUrl}/@/alice`);
    await phone.waitForSelector('[data-testid="game-row"]', { timeout: STEP_MS });
    expect(await fitsWidth(phone)).toBe(true);
    await phone.goto(site.stack.httpUrl);
    await phone.waitForSelector('#create', { timeout: STEP_MS });
    expect(await fitsWidth(phone)).toBe(true);
    expect(await shownPlyOrNull(phone)).toBeNull();
    expect(site.pageErrors).toEqual([]);
  }, 60_000);

  test('a player can leave the live screen and come back (home link, Back): the game and its socket stay', async () => {
    const white = await newPlayer();
    const black = await newPlayer();
    await white.selectOption('#color', 'white');
    await white.click('#create');
    const code = await roomCode(white);
    await white.click('header .brand'); // to the home page, in the page (no reload)
    await white.waitForSelector('[data-testid="game-in-progress"] a', { timeout: STEP_MS });
    await white.click('[data-testid="game-in-progress"] a');
    await white.waitForURL(`${site.stack.httpUrl}/room/${code}`, { timeout: STEP_MS });
    expect(await white.textContent('#room-code')).toBe(code); // still the creator's waiting card

    await black.goto(`${site.stack.httpUrl}/room/${code}`);
    await activeGame(white);
    await white.click('header .brand');
    await white.waitForSelector('#home', { timeout: STEP_MS });
    await white.goBack();
    await white.waitForURL(`${site.stack.httpUrl}/room/${code}`, { timeout: STEP_MS });
    await playMove(white, 'e2e4');
    await movesShown(black, 1);
    expect(await black.textContent('#player-white .presence')).toBe(''); // white never looked disconnected
    expect(site.pageErrors).toEqual([]);
  }, 60_000);

  test('the gateway answers the page for client routes, and never for the API, auth, socket or metrics paths', async () => {
    for (const path of ['/', `/room/${room}`, '/@/alice', `/game/${gameId}`, '/account', '/watch', '/friends', '/computer']) {
      const res = await fetch(`${site.stack.httpUrl}${path}`);
      expect([path, res.status, res.headers.get('content-type'), res.headers.get('cache-control')])
        .toEqual([path, 200, 'text/html; charset=utf-8', 'no-cache']);
      expect(await res.text()).toContain('<div id="app">');
    }
    // The bundle named in the page by its content hash: cached for good; the board sprites briefly.
    const bundle = /src="(\/app-[A-Z0-9]+\.js)"/.exec(await (await fetch(site.stack.httpUrl)).text())?.[1];
    expect(bundle).toBeDefined();
    const asset = await fetch(`${site.stack.httpUrl}${bundle}`);
    expect([asset.status, asset.headers.get('content-type'), asset.headers.get('cache-control')])
      .toEqual([200, 'text/javascript; charset=utf-8', 'public, max-age=31536000, immutable']);
    const sprite = await fetch(`${site.stack.httpUrl}/assets/pieces/standard.svg`);
    expect([sprite.status, sprite.headers.get('cache-control')]).toEqual([200, 'public, max-age=300']);
    for (const path of ['/api/nothing', '/ws', '/metrics/x', '/room/a/b', '/games']) {
      const res = await fetch(`${site.stack.httpUrl}${path}`);
      expect([path, res.status]).toEqual([path, 404]);
      expect(res.headers.get('content-type')).toBe('application/json');
    }
    // The accounts service's paths are its own answers, never the page.
    const user = await fetch(`${site.stack.httpUrl}/api/users/alice`);
    expect([user.status, user.headers.get('content-type')]).toEqual([200, 'application/json; charset=utf-8']);
    const login = await fetch(`${site.stack.httpUrl}/auth/login`, { redirect: 'manual' });
    expect([login.status, new URL(login.headers.get('location')!).origin]).toEqual([302, site.stack.accounts!.issuer]);
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
      gateway: { WEB_ROOT: site.webRoot, GUEST_TOKENS: 'false', OIDC_ISSUER: 'https://issuer.invalid/', OIDC_AUDIENCE: 'gambit' },
    });
  }, 60_000);
  afterAll(async () => {
    await noGuests?.stop();
  }, 30_000);

  test('the page says so and links to sign in, instead of retrying for ever', async () => {
    const page = await site.newPage();
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
    expect(site.pageErrors).toEqual([]);
  }, 30_000);
});
