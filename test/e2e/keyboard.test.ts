// Playing by keyboard in real Chromium against the whole stack, and what a screen reader hears: two
// guests play a game to mate without a mouse. White's first move is made on the board itself (it
// takes the focus; arrow keys walk the squares, Enter picks and puts), every other move is typed in
// the move box under the board in the loose forms people type (nf3, 0-0, Nxd5, h7h6, Bxf7#). After
// each move both pages' aria-live region says it in words, and at the end the result. An illegal
// or ambiguous move typed shows why, keeps its text and sends nothing; off turn the box is
// read-only; "/" puts the focus in it. The last move and the check carry shapes, not only colours.
import { describe, expect, test } from '@jest/globals';
import type { Page } from 'playwright-core';
import { activeGame, ARTIFACTS, gameState, movesShown, roomCode, useSite, STEP_MS } from '../support/site.js';

const site = useSite();
const sentMoves = new WeakMap<Page, string[]>(); // the uci of every move frame each page sent

const INPUT = '#move-input';

/** A guest whose sent move frames are recorded. */
function newPlayer(): Promise<Page> {
  return site.newPlayer({ viewport: { width: 1280, height: 800 } }, (page) => {
    const moves: string[] = [];
    sentMoves.set(page, moves);
    page.on('websocket', (ws) => ws.on('framesent', (f) => {
      const frame = JSON.parse(String(f.payload)) as { t: string; uci?: string };
      if (frame.t === 'move') moves.push(frame.uci ?? '');
    }));
  });
}

/** Types `text` in the move box once it takes a move (our turn), and presses Enter. */
async function typeMove(page: Page, text: string): Promise<void> {
  await page.waitForSelector(`${INPUT}[aria-disabled="false"]`, { timeout: STEP_MS });
  await page.fill(INPUT, text);
  await page.press(INPUT, 'Enter');
}

/** Waits until the page's aria-live region holds `text` as one of its lines. */
async function announced(page: Page, text: string): Promise<void> {
  try {
    await page.waitForFunction((t) => [...document.querySelectorAll('#announcer p')].some((p) => p.textContent === t), text, { timeout: STEP_MS });
  } catch (err) {
    const lines = await page.$$eval('#announcer p', (ps) => ps.map((p) => p.textContent));
    throw new Error(`"${text}" not announced; the region holds ${JSON.stringify(lines)}`, { cause: err });
  }
}

describe('keyboard play and screen-reader announcements', () => {
  test('a game to mate by keyboard: board keys, typed moves in every form, each announced on both pages; an illegal move refused in words', async () => {
    const alice = await newPlayer();
    const bob = await newPlayer();
    await alice.selectOption('#color', 'white');
    await alice.click('#create');
    const room = await roomCode(alice);
    await bob.fill('#join-code', room);
    await bob.click('#join');
    await Promise.all([activeGame(alice), activeGame(bob)]);
    // The region was there while alice waited: she hears the game start.
    await announced(alice, 'Game started. You play White');
    const region = alice.locator('#announcer');
    expect(await region.getAttribute('aria-live')).toBe('polite');
    const box = await region.boundingBox();
    expect(box === null || (box.width <= 1 && box.height <= 1)).toBe(true); // visually hidden, yet in the page

    // Off turn the box is there but read-only; "/" puts the focus in it from anywhere else.
    await bob.waitForSelector(`${INPUT}[aria-disabled="true"]`, { timeout: STEP_MS });
    expect(await bob.getAttribute(INPUT, 'readonly')).not.toBeNull();
    await bob.click('#status');
    await bob.keyboard.press('/');
    expect(await bob.evaluate(() => document.activeElement?.id)).toBe('move-input');

    // 1. e4 on the board by keys: the focus starts on a1; right four, up one is e2; Enter picks
    // the pawn, up two is e4, Enter puts it there.
    await alice.waitForSelector('#board .board.input-enabled', { timeout: STEP_MS });
    await alice.focus('#board svg[role="application"]');
    for (const key of ['ArrowRight', 'ArrowRight', 'ArrowRight', 'ArrowRight', 'ArrowUp', 'Enter', 'ArrowUp', 'ArrowUp', 'Enter']) {
      await alice.keyboard.press(key);
    }
    for (const page of [alice, bob]) await announced(page, 'White: pawn e4');

    // The rest typed, alternately: captures, a lowercase piece letter, castling with zeros, from-to squares, a mate sign.
    const game: [Page, string, string][] = [
      [bob, 'd5', 'Black: pawn d5'],
      [alice, 'exd5', 'White: e pawn takes d5'],
      [bob, 'nf6', 'Black: knight f6'],
      [alice, 'Nf3', 'White: knight f3'],
      [bob, 'Nxd5', 'Black: knight takes d5'],
      [alice, 'Bc4', 'White: bishop c4'],
      [bob, 'Nb6', 'Black: knight b6'],
      [alice, '0-0', 'White: castles kingside'],
      [bob, 'N8d7', 'Black: knight from rank 8 to d7'],
      [alice, 'Ng5', 'White: knight g5'],
      [bob, 'h7h6', 'Black: pawn h6'],
      [alice, 'Bxf7#', 'White: bishop takes f7, checkmate'],
    ];
    for (const [i, [page, typed, said]] of game.entries()) {
      if (i === 1) {
        // An illegal move: refused in words, the text kept, nothing sent, the box still takes a move.
        const before = await gameState(alice);
        await typeMove(alice, 'Nf4');
        await alice.waitForFunction(() => document.querySelector('#move-error')?.textContent === 'No knight of yours can go to f4', null, { timeout: STEP_MS });
        expect(await alice.inputValue(INPUT)).toBe('Nf4');
        expect(await alice.getAttribute(INPUT, 'aria-invalid')).toBe('true');
        expect(await alice.getAttribute(INPUT, 'aria-disabled')).toBe('false');
        expect(await gameState(alice)).toEqual(before);
        await alice.screenshot({ path: `${ARTIFACTS}/e2e-keyboard-refused.png` });
      }
      if (typed === 'N8d7') {
        // Two knights can go to d7: the box asks which, in SAN, and sends nothing.
        await typeMove(bob, 'Nd7');
        await bob.waitForFunction(() => document.querySelector('#move-error')?.textContent === 'Which one? N6d7 or N8d7', null, { timeout: STEP_MS });
      }
      await typeMove(page, typed);
      for (const p of [alice, bob]) {
        await announced(p, said);
        await movesShown(p, i + 2);
      }
      if (i === 0) {
        // The last move is marked by a tint and by corner brackets on both its squares.
        expect(await alice.locator('#board .marker-last-move-frame').count()).toBe(2);
      }
    }

    // Mate on both pages: the result shown and said; the mated king carries the check ring.
    for (const page of [alice, bob]) {
      await page.waitForFunction(() => document.querySelector('#result')?.textContent === '1-0 · checkmate', null, { timeout: STEP_MS });
      await announced(page, 'Checkmate. White wins');
    }
    expect(await alice.textContent('#moves')).toContain('O-O');
    expect(await alice.locator('#board .marker-check').count()).toBe(1);
    expect(await alice.isVisible(INPUT)).toBe(false); // the box steps aside after the end
    // Every move frame was a legal move: the refused "Nf4" never left the page.
    expect(sentMoves.get(alice)).toEqual(['e2e4', 'e4d5', 'g1f3', 'f1c4', 'e1g1', 'f3g5', 'c4f7']);
    expect(sentMoves.get(bob)).toEqual(['d7d5', 'g8f6', 'f6d5', 'd5b6', 'b8d7', 'h7h6']);
    await alice.screenshot({ path: `${ARTIFACTS}/e2e-keyboard.png` });
    expect(site.pageErrors).toEqual([]);
  }, 90_000);
});
