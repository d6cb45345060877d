// Playing the computer in real Chromium: Stockfish (WASM, in a Web Worker) at level 1 against
// random legal moves clicked on the board, on a 15-second clock so the game is bounded: it ends by
// mate, a draw or a fallen flag, and the page says which. The PGN download holds the game. While it
// runs the page sends nothing to the servers but the site socket's heartbeat, and fetches nothing
// but static files. A second game at phone width: a reload resumes it, resigning ends it.
import { describe, expect, test } from '@jest/globals';
import { readFile } from 'node:fs/promises';
import { Chess } from 'chess.js';
import type { Page, Request } from 'playwright-core';
import { ARTIFACTS, playMove, useSite, STEP_MS, type ContextOptions } from '../support/site.js';
import { prng } from '../support/fuzz.js';

const site = useSite();
/** The first engine move waits for the worker to compile Stockfish (7 MB of WASM) on a busy machine. */
const ENGINE_LOAD_MS = 30_000;

interface Traffic { requests: Request[]; sent: string[]; workers: string[] }

/** A page whose every request (its workers' too), every WebSocket frame it sends and every worker it starts are recorded. */
async function newRecordedPage(options: ContextOptions = {}): Promise<{ page: Page; traffic: Traffic }> {
  const page = await site.newPage(options);
  const traffic: Traffic = { requests: [], sent: [], workers: [] };
  page.context().on('request', (r) => traffic.requests.push(r));
  page.on('websocket', (ws) => ws.on('framesent', (f) => traffic.sent.push(String(f.payload))));
  page.on('worker', (w) => traffic.workers.push(w.url()));
  return { page, traffic };
}

interface Shown { status: string; ply: number; turn: string; human: string; fen: string }
const shown = (page: Page): Promise<Shown> => page.$eval('#computer', (el) => {
  const d = (el as HTMLElement).dataset;
  return { status: d.status ?? '', ply: Number(d.ply), turn: d.turn ?? '', human: d.human ?? '', fen: d.fen ?? '' };
});

/** Waits until the game has ended, or it is our move after ply `after` and the board takes input. */
async function ourMoveOrEnd(page: Page, after: number, timeout: number): Promise<Shown> {
  await page.waitForFunction((ply) => {
    const el = document.querySelector<HTMLElement>('#computer');
    const d = el?.dataset;
    if (!d) return false;
    if (d.status === 'ended') return true;
    return d.turn === d.human && Number(d.ply) > ply && document.querySelector('#board .board.input-enabled') !== null;
  }, after, { timeout });
  return shown(page);
}

/**
 * Clicks the move `uci` (from, to, then the queen when the promotion dialog asks). The input was
 * seen enabled just before; if a flag falls meanwhile the clicks do nothing and the caller sees the end.
 */
async function clickMove(page: Page, uci: string): Promise<void> {
  await page.click(`#board .board [data-square="${uci.slice(0, 2)}"]`);
  await page.click(`#board .board [data-square="${uci.slice(2, 4)}"]`);
  if (uci.length < 5) return;
  const queen = `#board .promotion-dialog-button[data-piece="w${uci[4]}"]`;
  await page.waitForSelector(`${queen}, #computer[data-status="ended"]`, { timeout: STEP_MS });
  if (await page.isVisible(queen)) await page.click(queen);
}

/** From the home page's link to the setup form. */
async function openSetup(page: Page): Promise<void> {
  await page.goto(site.stack.httpUrl);
  await page.click('#computer-link', { timeout: STEP_MS });
  await page.waitForURL(`${site.stack.httpUrl}/computer`, { timeout: STEP_MS });
  await page.waitForSelector('#computer-form', { timeout: STEP_MS });
}

/** Fills the setup form and starts the game. */
async function startGame(page: Page, opts: { level: string; tc: string; min?: string; inc?: string; color: 'white' | 'black' }): Promise<void> {
  await page.selectOption('#computer-level', opts.level);
  await page.selectOption('#computer-tc', opts.tc);
  if (opts.tc === 'custom') {
    await page.fill('#computer-tc-min', opts.min ?? '1');
    await page.fill('#computer-tc-inc', opts.inc ?? '0');
  }
  await page.selectOption('#computer-color', opts.color);
  await page.click('#computer-start');
  await page.waitForSelector('#computer[data-status="active"]', { timeout: STEP_MS });
}

describe('playing the computer', () => {
  test('level 1 against random legal moves on a 15 s clock reaches its end; the PGN holds it; nothing goes to the servers', async () => {
    const { page, traffic } = await newRecordedPage({ viewport: { width: 1280, height: 800 } });
    await openSetup(page);
    await page.waitForSelector('#conn-state[data-state="online"]', { timeout: STEP_MS }); // the site's socket, opened on load
    // From here on (the home screen has gone), nothing may reach the servers but static files and heartbeats.
    const fromRequest = traffic.requests.length;
    const fromFrame = traffic.sent.length;
    await startGame(page, { level: '1', tc: 'custom', min: '0.25', inc: '0', color: 'white' });
    expect(await page.textContent('#computer-info')).toBe('Stockfish level 1 · 0.25 + 0 · you play white');
    expect(await page.textContent('#clock-white')).toBe('0:15');

    const pick = prng(20260115);
    let state = await shown(page);
    let moves = 0;
    while (state.status === 'active') {
      const legal = new Chess(state.fen).moves({ verbose: true });
      const m = legal[Math.floor(pick() * legal.length)]!;
      await clickMove(page, `${m.from}${m.to}${m.promotion ? 'q' : ''}`);
      moves++;
      // The engine answers (its first answer waits for the worker to load), or the game is over.
      state = await ourMoveOrEnd(page, state.ply, moves === 1 ? ENGINE_LOAD_MS : STEP_MS);
    }
    expect(moves).toBeGreaterThan(1);

    // A real end, in words on the page.
    await page.waitForSelector('#game-over:not([hidden])', { timeout: STEP_MS });
    const result = (await page.textContent('#result')) ?? '';
    expect(result).toMatch(/^(1-0|0-1|½-½) · (White wins|Black wins|Draw)/);
    expect(result).toMatch(/checkmate|on time|stalemate|insufficient material|repetition|fifty-move|timeout/);
    expect(['You won', 'You lost', 'Draw']).toContain(await page.textContent('#result-title'));
    expect(await page.textContent('#status')).toBe('');
    expect(await page.isHidden('#resign')).toBe(true);
    const san = await page.$$eval('#moves .san', (els) => els.map((e) => e.textContent ?? ''));
    expect(san.length).toBe(state.ply);
    await page.screenshot({ path: `${ARTIFACTS}/e2e-computer.png` });

    // The PGN: the same moves, to the same position, with the result the page shows.
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#pgn-download')]);
    expect(download.suggestedFilename()).toMatch(/^gambit-computer-\d{4}-\d{2}-\d{2}\.pgn$/);
    const pgn = await readFile((await download.path())!, 'utf8');
    const replay = new Chess();
    replay.loadPgn(pgn);
    expect(replay.history()).toEqual(san);
    expect(replay.fen()).toBe(state.fen);
    const score = result.split(' · ')[0]!.replace('½-½', '1/2-1/2');
    expect(pgn).toContain(`[Result "${score}"]`);
    expect(pgn).toContain('[White "');
    expect(pgn).toContain('[Black "Stockfish level 1"]');
    expect(pgn).toContain('[TimeControl "15+0"]');
    expect(pgn.trimEnd().endsWith(score)).toBe(true);

    // Nothing of the game cost the servers: the engine came as static files, and the only frames
    // on the site's socket were its heartbeat.
    const during = traffic.requests.slice(fromRequest).filter((r) => !/^(blob|data):/.test(r.url()));
    for (const r of during) {
      const url = new URL(r.url());
      expect([r.method(), url.origin, /^\/(?:engine|assets)\//.test(url.pathname)]).toEqual(['GET', site.stack.httpUrl, true]);
    }
    expect(during.some((r) => r.url().endsWith('.wasm'))).toBe(true);
    expect(traffic.sent.slice(fromFrame).map((f) => (JSON.parse(f) as { t: string }).t).filter((t) => t !== 'ping')).toEqual([]);

    // The engine's files as the gateway serves them: WebAssembly's type, cached for good.
    expect(traffic.workers).toHaveLength(1);
    const worker = traffic.workers[0]!;
    expect(worker).toMatch(/\/engine\/stockfish-[A-Z0-9]{8}\.js$/);
    const wasm = await fetch(worker.replace(/\.js$/, '.wasm'), { method: 'HEAD' });
    expect([wasm.status, wasm.headers.get('content-type'), wasm.headers.get('cache-control')])
      .toEqual([200, 'application/wasm', 'public, max-age=31536000, immutable']);
    const route = await fetch(`${site.stack.httpUrl}/computer`);
    expect([route.status, route.headers.get('content-type')]).toEqual([200, 'text/html; charset=utf-8']);

    // New game: back to the setup; the finished game is gone from storage.
    await page.click('#new-game');
    await page.waitForSelector('#computer-form', { timeout: STEP_MS });
    expect(site.pageErrors).toEqual([]);
  }, 180_000);

  test('a flag falls on the page between moves: lost on time, no move after it, Time forfeit in the PGN', async () => {
    const { page } = await newRecordedPage();
    await openSetup(page);
    await startGame(page, { level: '1', tc: 'custom', min: '0.05', inc: '1', color: 'white' }); // 3 s + 1
    await playMove(page, 'e2e4');
    expect((await ourMoveOrEnd(page, 0, ENGINE_LOAD_MS)).ply).toBe(2);
    expect(await page.textContent('#clock-black')).toBe('0:03.0'); // each side's first move is off the clock
    await page.waitForSelector('#player-white.running', { timeout: STEP_MS }); // from here White's runs
    await playMove(page, 'g1f3'); // legal after any first move of Black's
    const state = await ourMoveOrEnd(page, 2, STEP_MS);
    expect(state.ply).toBe(4);
    // Nobody touches the board again: White's flag falls by itself.
    await page.waitForFunction(() => document.querySelector('#result')?.textContent === '0-1 · Black wins on time', null, { timeout: STEP_MS });
    expect(await page.textContent('#result-title')).toBe('You lost');
    expect(await page.textContent('#clock-white')).toBe('0:00.0');
    expect(await page.$eval('#computer', (el) => (el as HTMLElement).dataset.ply)).toBe(String(state.ply)); // no move after the flag
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#pgn-download')]);
    const pgn = await readFile((await download.path())!, 'utf8');
    expect(pgn).toContain('[Termination "Time forfeit (timeout)"]');
    expect(pgn).toContain('[TimeControl "3+1"]');
    expect(pgn.trimEnd().endsWith('0-1')).toBe(true);
    expect(site.pageErrors).toEqual([]);
  }, 60_000);

  test('at phone width: playing Black, the computer opens; a reload resumes the game; resigning ends it', async () => {
    const { page } = await newRecordedPage({ viewport: { width: 375, height: 740 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 });
    await openSetup(page);
    await startGame(page, { level: '2', tc: '5+0', color: 'black' });
    let state = await ourMoveOrEnd(page, 0, ENGINE_LOAD_MS); // White (Stockfish) has moved
    expect([state.status, state.ply, state.turn]).toEqual(['active', 1, 'black']);
    expect(await page.textContent('#player-white .name')).toBe('Stockfish level 2');
    expect(await page.textContent('#player-black .name')).toMatch(/\(you\)$/);

    const board = await page.locator('#board svg.cm-chessboard').boundingBox();
    expect(board).not.toBeNull();
    expect(board!.x).toBeGreaterThanOrEqual(0);
    expect(board!.x + board!.width).toBeLessThanOrEqual(375);
    expect(board!.width).toBeGreaterThan(330);
    expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
    for (const clock of ['#clock-white', '#clock-black']) {
      const box = await page.locator(clock).boundingBox();
      expect(box!.x + box!.width).toBeLessThanOrEqual(375);
    }

    const legal = new Chess(state.fen).moves({ verbose: true });
    const m = legal.find((x) => x.san === 'e5' || x.san === 'e6') ?? legal[0]!;
    await playMove(page, `${m.from}${m.to}`, 'tap');
    state = await ourMoveOrEnd(page, state.ply, STEP_MS);
    expect(state.ply).toBe(3);
    const before = await page.$$eval('#moves .san', (els) => els.map((e) => e.textContent));
    await page.screenshot({ path: `${ARTIFACTS}/e2e-phone-computer.png` });

    await page.reload();
    await page.waitForSelector('#computer[data-status="active"]', { timeout: STEP_MS });
    expect(await shown(page)).toEqual(state);
    expect(await page.$$eval('#moves .san', (els) => els.map((e) => e.textContent))).toEqual(before);
    await page.waitForSelector('#board .board.input-enabled', { timeout: STEP_MS }); // still our move

    await page.click('#resign'); // first click arms, second confirms
    await page.click('#resign');
    await page.waitForFunction(() => document.querySelector('#result')?.textContent === '1-0 · White wins: Black resigned', null, { timeout: STEP_MS });
    expect(await page.textContent('#result-title')).toBe('You lost');
    await page.reload(); // the finished game stays until New game
    await page.waitForSelector('#computer[data-status="ended"]', { timeout: STEP_MS });
    expect(await page.textContent('#result')).toBe('1-0 · White wins: Black resigned');
    expect(site.pageErrors).toEqual([]);
  }, 120_000);
});
