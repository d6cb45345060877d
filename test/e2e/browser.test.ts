// The browser client against the whole stack: real Chromium (playwright-core), real gateway,
// engine, finalizer, redis-server and dynalite. Two browser contexts are two players.
import { describe, expect, test } from '@jest/globals';
import { readFile } from 'node:fs/promises';
import { DynamoDBClient, ScanCommand, type AttributeValue } from '@aws-sdk/client-dynamodb';
import type { Page } from 'playwright-core';
import {
  activeGame, ARTIFACTS, finishFoolsMate, gameState, movesShown, playMove, roomCode, useSite, STEP_MS,
  type ContextOptions,
} from '../support/site.js';

const site = useSite();
const sentFrames = new WeakMap<Page, string[]>(); // every WebSocket frame each page sent, in order
const wsLog = new WeakMap<Page, string[]>(); // both directions, short, for failure messages

/** A guest on the home page whose socket frames are recorded (sentFrames, wsLog). */
async function newPlayer(options: ContextOptions = {}): Promise<Page> {
  return site.newPlayer(options, (page) => {
    const sent: string[] = [];
    sentFrames.set(page, sent);
    const log: string[] = [];
    wsLog.set(page, log);
    page.on('websocket', (ws) => {
      const sock = `ws${log.filter((l) => l.startsWith('open')).length + 1}`;
      log.push(`open ${sock}`);
      ws.on('framesent', (f) => {
        sent.push(String(f.payload));
        log.push(`${sock} > ${String(f.payload).slice(0, 60)}`);
      });
      ws.on('framereceived', (f) => log.push(`${sock} < ${String(f.payload).slice(0, 60)}`));
      ws.on('close', () => log.push(`close ${sock}`));
    });
  });
}

/** Creates a room through the home screen; returns its code. */
async function createRoom(page: Page, tc: string, color: 'white' | 'black'): Promise<string> {
  await page.selectOption('#tc', tc);
  await page.selectOption('#color', color);
  await page.click('#create');
  const code = await roomCode(page);
  // The canonical room URL (older /?room=CODE links still work: the watcher below uses one).
  expect(await page.getAttribute('#share-link', 'href')).toBe(`${site.stack.httpUrl}/room/${code}`);
  expect(page.url()).toBe(`${site.stack.httpUrl}/room/${code}`);
  return code;
}

async function joinRoom(page: Page, code: string): Promise<void> {
  await page.fill('#join-code', code);
  await page.click('#join');
}

/** Polls the games table until an item mentions `room` (the finalizer writes once the game ends). */
async function storedGame(room: string, timeoutMs: number): Promise<Record<string, AttributeValue>> {
  const db = new DynamoDBClient({
    endpoint: site.stack.dynamoEndpoint, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
  const deadline = Date.now() + timeoutMs;
  try {
    while (Date.now() < deadline) {
      const page = await db.send(new ScanCommand({ TableName: site.stack.gamesTable })).catch(() => null); // table may not exist yet
      const item = page?.Items?.find((i) => JSON.stringify(i).includes(room));
      if (item) return item;
      await new Promise((r) => setTimeout(r, 100));
    }
  } finally {
    db.destroy();
  }
  throw new Error(`game ${room} not in ${site.stack.gamesTable} after ${timeoutMs} ms`);
}

/** Waits for the waiting screen's room code; on timeout says what went over the sockets. */
async function roomCodeShown(page: Page): Promise<string> {
  try {
    await page.waitForFunction(() => /^[A-Z2-9]{8}$/.test(document.querySelector('#room-code')?.textContent ?? ''), null, { timeout: STEP_MS });
  } catch (err) {
    const log = (wsLog.get(page) ?? []).filter((l) => !/"t":"p[io]ng"/.test(l));
    throw new Error(`no room code on the page; toast ${JSON.stringify(await page.textContent('#toast'))}; sockets:\n${log.join('\n')}`, { cause: err });
  }
  return (await page.textContent('#room-code')) ?? '';
}

/** The `t` of every frame the page sent, e.g. ['hello', 'ping', 'create']. */
const sentTypes = (page: Page) => (sentFrames.get(page) ?? []).map((f) => (JSON.parse(f) as { t: string }).t);

describe('browser client', () => {
  test('a name typed and Create clicked at once: the named player gets the game, seated and connected', async () => {
    const white = await newPlayer();
    const black = await newPlayer();
    await white.selectOption('#tc', '5+0');
    await white.selectOption('#color', 'white');
    // The person's sequence: type a name, click Create straight away (the click itself blurs the field).
    await white.fill('#name', 'Alice Typed');
    await white.click('#create');
    const code = await roomCodeShown(white);
    // The same on the other side: a name, then Join with the code, with no pause.
    await black.fill('#name', 'Bob Typed');
    await black.fill('#join-code', code);
    await black.click('#join');
    await Promise.all([activeGame(white), activeGame(black)]);
    expect(await gameState(white)).toMatchObject({ room: code, color: 'white', status: 'active' });
    expect(await gameState(black)).toMatchObject({ room: code, color: 'black', status: 'active' });

    await playMove(white, 'e2e4');
    await movesShown(black, 1);
    expect(await black.textContent('#moves')).toContain('e4');
    for (const page of [white, black]) {
      for (const side of ['white', 'black']) {
        const presence = page.locator(`#player-${side} .presence`);
        expect(await presence.getAttribute('data-state')).toBe('here');
        expect(await presence.textContent()).not.toContain('disconnected');
      }
    }
    expect(await white.textContent('#player-white .name')).toBe('Alice Typed (you)');
    expect(await black.textContent('#player-white .name')).toBe('Alice Typed');
    expect(await white.textContent('#player-black .name')).toBe('Bob Typed');
    expect(await white.textContent('#me')).toBe('Alice Typed'); // the name in force, in the header (the field is on the home screen)
    // Exactly one create and one join, each after the hello of the socket of the new name.
    for (const [page, kind] of [[white, 'create'], [black, 'join']] as const) {
      const types = sentTypes(page);
      expect(types.filter((t) => t === kind)).toHaveLength(1);
      expect(types.lastIndexOf('hello')).toBeLessThan(types.indexOf(kind));
    }
    await playMove(black, 'e7e5'); // the game goes on: nobody was left behind on an old socket
    await movesShown(white, 2);
    expect(site.pageErrors).toEqual([]);
  }, 60_000);

  test('a custom 0 min + 5 s is refused in words before anything is sent; a valid one then creates', async () => {
    const page = await newPlayer();
    await page.selectOption('#tc', 'custom');
    await page.fill('#tc-min', '0');
    await page.fill('#tc-inc', '5');
    await page.click('#create');
    await page.waitForSelector('#tc-error:not([hidden])', { timeout: STEP_MS });
    const message = (await page.textContent('#tc-error')) ?? '';
    expect(message).toContain('A game needs time on the clock');
    expect(message).not.toMatch(/initialMs|expected|>=/);
    await page.click('#create'); // clicking again changes nothing until the time control is fixed
    await new Promise((r) => setTimeout(r, 500)); // time for a frame (and an answer) that must not come
    expect(sentTypes(page)).not.toContain('create');
    expect(await gameState(page)).toMatchObject({ room: null });
    expect(await page.evaluate(() => document.body.dataset.view)).toBe('home');
    expect(await page.textContent('#toast')).not.toMatch(/initialMs|expected/);

    await page.fill('#tc-min', '1');
    await page.waitForSelector('#tc-error', { state: 'hidden', timeout: STEP_MS }); // the message goes as soon as it is fixed
    await page.click('#create');
    await roomCodeShown(page);
    const creates = (sentFrames.get(page) ?? []).map((f) => JSON.parse(f) as { t: string; tc?: unknown }).filter((f) => f.t === 'create');
    expect(creates).toHaveLength(1);
    expect(creates[0]!.tc).toEqual({ initialMs: 60_000, incrementMs: 5_000 });
    expect(await page.textContent('#waiting-tc')).toContain('1 + 5');
    expect(site.pageErrors).toEqual([]);
  }, 60_000);

  test('two players create, join and play fool\'s mate; the game is stored', async () => {
    const white = await newPlayer({ viewport: { width: 1280, height: 800 } });
    const black = await newPlayer({ viewport: { width: 1280, height: 800 } });

    const code = await createRoom(white, '5+0', 'white');
    await joinRoom(black, code);
    await Promise.all([activeGame(white), activeGame(black)]);
    expect(await gameState(white)).toMatchObject({ room: code, color: 'white' });
    expect(await gameState(black)).toMatchObject({ room: code, color: 'black' });
    // A third browser opening the share link finds the room full and watches instead.
    const watcher = await newPlayer();
    await watcher.goto(`${site.stack.httpUrl}/?room=${code}`);
    await activeGame(watcher);
    expect(await gameState(watcher)).toMatchObject({ room: code, color: null });

    await finishFoolsMate(white, black);

    for (const page of [white, black]) {
      await page.waitForSelector('#game-over:not([hidden])', { timeout: STEP_MS });
      const result = (await page.textContent('#result')) ?? '';
      expect(result).toContain('0-1');
      expect(result).toContain('checkmate');
      expect(await page.isEnabled('#pgn-download')).toBe(true);
    }
    expect(await black.textContent('#result-title')).toBe('You won');
    await watcher.waitForFunction(() => document.querySelector('#result')?.textContent === '0-1 · checkmate', null, { timeout: STEP_MS });
    expect(await watcher.textContent('#result-title')).toBe('Black wins');
    const [download] = await Promise.all([white.waitForEvent('download'), white.click('#pgn-download')]);
    const pgn = await readFile(await download.path(), 'utf8');
    expect(download.suggestedFilename()).toBe(`gambit-${code}.pgn`);
    expect(pgn).toContain('Qh4#');
    expect(await white.textContent('#moves')).toContain('Qh4#');

    // Let the last move's animation finish before the screenshot.
    await white.waitForSelector('#board .pieces [data-piece="bq"][data-square="h4"]', { timeout: STEP_MS });
    const item = await storedGame(code, 10_000);
    expect(JSON.stringify(item)).toContain('0-1');

    await white.screenshot({ path: `${ARTIFACTS}/e2e-final.png` });
    expect(site.pageErrors).toEqual([]);
  }, 90_000);

  test('a dropped connection and a reload both resume the game; a draw by agreement', async () => {
    const white = await newPlayer();
    const black = await newPlayer();
    await joinRoom(black, await createRoom(white, '10+0', 'white'));
    await Promise.all([activeGame(white), activeGame(black)]);
    expect(await white.isEnabled('#abort')).toBe(true);
    await playMove(white, 'e2e4');
    await playMove(black, 'e7e5');
    await movesShown(white, 2);
    expect(await white.isEnabled('#abort')).toBe(false); // both sides have moved

    // Network gone: black's socket drops, white sees the reconnect grace counting down.
    await black.context().setOffline(true);
    await black.waitForSelector('#conn-state:not([data-state="online"])', { timeout: STEP_MS });
    await white.waitForFunction(() => /disconnected · \d+s/.test(document.querySelector('#player-black .presence')?.textContent ?? ''), null, { timeout: STEP_MS });
    await black.context().setOffline(false);
    await black.waitForSelector('#conn-state[data-state="online"]', { timeout: STEP_MS });
    await white.waitForFunction(() => document.querySelector('#player-black .presence')?.textContent === '', null, { timeout: STEP_MS });
    await playMove(white, 'g1f3');
    await movesShown(black, 3);

    // A reload keeps the tab's guest and game (sessionStorage) and resumes from scratch.
    await black.reload();
    await black.waitForSelector('#conn-state[data-state="online"]', { timeout: STEP_MS });
    await movesShown(black, 3);
    expect((await gameState(black)).fen).toBe((await gameState(white)).fen);
    await playMove(black, 'b8c6');
    await movesShown(white, 4);

    await black.click('#draw-offer');
    await white.waitForSelector('#draw-prompt:not([hidden])', { timeout: STEP_MS });
    await white.click('#draw-accept');
    for (const page of [white, black]) {
      await page.waitForFunction(() => (document.querySelector('#result')?.textContent ?? '').includes('agreement'), null, { timeout: STEP_MS });
      expect(await page.textContent('#result')).toBe('½-½ · agreement');
    }
    expect(site.pageErrors).toEqual([]);
  }, 90_000);

  test('promotion through the dialog (to a knight), then resignation', async () => {
    const white = await newPlayer();
    const black = await newPlayer();
    await joinRoom(black, await createRoom(white, '5+0', 'white'));
    await Promise.all([activeGame(white), activeGame(black)]);
    const line = ['e2e4', 'd7d5', 'e4d5', 'c7c6', 'd5c6', 'g8f6', 'c6b7', 'b8d7'];
    for (const [i, uci] of line.entries()) {
      await playMove(i % 2 ? black : white, uci);
      await movesShown(white, i + 1);
    }
    await playMove(white, 'b7a8'); // lands on the last rank: the dialog asks what it becomes
    await white.click('#board .promotion-dialog-button[data-piece="wn"]', { timeout: STEP_MS });
    await movesShown(black, 9);
    expect(await black.textContent('#moves')).toContain('bxa8=N');
    await black.waitForSelector('#board .pieces [data-square="a8"][data-piece="wn"]', { timeout: STEP_MS }); // after the animation

    await black.click('#resign'); // first click arms, second confirms
    await black.click('#resign');
    for (const page of [white, black]) {
      await page.waitForFunction(() => document.querySelector('#result')?.textContent === '1-0 · resign', null, { timeout: STEP_MS });
    }
    expect(await white.textContent('#result-title')).toBe('You won');
    expect(site.pageErrors).toEqual([]);
  }, 90_000);

  test('at phone width (375x740) the board and both clocks fit, and a tap moves a piece', async () => {
    const phone = await newPlayer({ viewport: { width: 375, height: 740 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 });
    const desktop = await newPlayer();
    await phone.screenshot({ path: `${ARTIFACTS}/e2e-phone-home.png` });
    const code = await createRoom(phone, '3+2', 'white');
    await phone.screenshot({ path: `${ARTIFACTS}/e2e-phone-waiting.png` });
    await desktop.goto(await phone.getAttribute('#share-link', 'href') ?? ''); // the share link joins directly
    await activeGame(phone);
    expect(await gameState(desktop)).toMatchObject({ room: code, color: 'black' });

    const inViewport = async (selector: string) => {
      const box = await phone.locator(selector).boundingBox();
      expect(box).not.toBeNull();
      expect(box!.x).toBeGreaterThanOrEqual(0);
      expect(box!.y).toBeGreaterThanOrEqual(0);
      expect(box!.x + box!.width).toBeLessThanOrEqual(375);
      expect(box!.y + box!.height).toBeLessThanOrEqual(740);
      return box!;
    };
    const board = await inViewport('#board svg.cm-chessboard');
    expect(board.width).toBeGreaterThan(330); // the board uses (nearly) the whole width
    await inViewport('#clock-white');
    await inViewport('#clock-black');
    expect(await phone.textContent('#clock-black')).toBe('3:00'); // not running: white is to move

    await playMove(phone, 'e2e4', 'tap');
    await movesShown(desktop, 1);
    expect(await desktop.textContent('#moves')).toContain('e4');
    await phone.screenshot({ path: `${ARTIFACTS}/e2e-phone.png` });

    // Only one side has moved: the game can still be aborted, without a result.
    await phone.click('#abort');
    for (const page of [phone, desktop]) {
      await page.waitForFunction(() => (document.querySelector('#result')?.textContent ?? '').includes('aborted'), null, { timeout: STEP_MS });
    }
    expect(await desktop.textContent('#result-title')).toBe('Game aborted');
    expect(site.pageErrors).toEqual([]);
  }, 60_000);
});
