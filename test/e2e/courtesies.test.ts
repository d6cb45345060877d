// The feel of a real chess site in real Chromium against the whole stack (issue 15): a premove
// queued while the opponent thinks and played the instant their move lands, a premove cancelled by
// a click, moretime that both pages see on the clock, a takeback declined and then one accepted,
// the sound cues and their switch kept over a reload, and the first-move timer aborting a game
// where nobody moved (run beside the rest: its 20 s overlap the other steps).
import { describe, expect, test } from '@jest/globals';
import type { Page } from 'playwright-core';
import { activeGame, gameState, movesShown, playMove, roomCode, useSite, STEP_MS } from '../support/site.js';

const site = useSite();

/** Counts the tones the page starts (sounds.ts plays each cue as Web Audio oscillators). */
const countTones = (page: Page) => page.addInitScript(() => {
  const w = window as unknown as { tones: number };
  w.tones = 0;
  const start = OscillatorNode.prototype.start;
  OscillatorNode.prototype.start = function (...args: Parameters<OscillatorNode['start']>) {
    w.tones += 1;
    return start.apply(this, args);
  };
});
const tones = (page: Page) => page.evaluate(() => (window as unknown as { tones: number }).tones);

/** Seconds a clock shows ("1:13" -> 73). */
async function clockSeconds(page: Page, side: 'white' | 'black'): Promise<number> {
  const text = (await page.textContent(`#clock-${side}`)) ?? '';
  const [m, s] = text.split(':').map(Number);
  return (m ?? 0) * 60 + Math.floor(s ?? 0);
}

/** A game between two new players: `white` creates it with `tc`, the other joins. */
async function newGame(tc: string, prepare?: (page: Page) => unknown): Promise<[Page, Page, string]> {
  const white = await site.newPlayer(undefined, prepare);
  const black = await site.newPlayer(undefined, prepare);
  await white.selectOption('#tc', tc);
  await white.selectOption('#color', 'white');
  await white.click('#create');
  const room = await roomCode(white);
  await black.fill('#join-code', room);
  await black.click('#join');
  await activeGame(white);
  await activeGame(black);
  return [white, black, room];
}

describe('premove, moretime, takebacks, sounds, the first-move timer', () => {
  test('a whole game of courtesies, while another game is aborted for want of a first move', async () => {
    // The idle game first: nobody moves in a 1+0 (bullet: 20 s to make the first move).
    const [idleWhite, idleBlack] = await newGame('1+0');
    await idleWhite.waitForSelector('#first-move:not([hidden])', { timeout: STEP_MS });
    expect(await idleWhite.textContent('#first-move')).toMatch(/^Make your first move within (1\d|20) s, or the game is aborted$/);
    await idleBlack.waitForSelector('#first-move:not([hidden])', { timeout: STEP_MS });
    expect(await idleBlack.textContent('#first-move')).toMatch(/^White must make a first move within (1\d|20) s$/);

    const [alice, bob] = await newGame('5+0', countTones);

    // bob (Black) queues e5 while alice thinks: the squares are marked, nothing is sent.
    await bob.waitForSelector('#board[data-input="premove"]', { timeout: STEP_MS });
    await bob.click('#board .board [data-square="e7"]');
    await bob.click('#board .board [data-square="e5"]');
    await bob.waitForFunction(() => document.querySelectorAll('#board .marker-premove').length === 2, null, { timeout: STEP_MS });
    expect((await gameState(bob)).fen).toContain('/pppppppp/');
    // alice plays e4: bob's premove goes out the moment it lands.
    await playMove(alice, 'e2e4');
    await movesShown(alice, 2);
    await movesShown(bob, 2);
    expect(await bob.$$eval('#moves .san', (els) => els.map((e) => e.textContent))).toEqual(['e4', 'e5']);
    expect(await bob.$$('#board .marker-premove')).toHaveLength(0);
    expect(await tones(alice)).toBeGreaterThan(0); // her move and his reply made sounds

    // A premove cancelled by a click: bob queues Nc6 and clicks again; alice's Nf3 leaves him to move.
    await bob.waitForSelector('#board[data-input="premove"]', { timeout: STEP_MS });
    await bob.click('#board .board [data-square="b8"]');
    await bob.click('#board .board [data-square="c6"]');
    await bob.waitForFunction(() => document.querySelectorAll('#board .marker-premove').length === 2, null, { timeout: STEP_MS });
    await bob.click('#board .board [data-square="h5"]');
    await bob.waitForFunction(() => document.querySelectorAll('#board .marker-premove').length === 0, null, { timeout: STEP_MS });
    await playMove(alice, 'g1f3');
    await movesShown(bob, 3);
    await bob.waitForSelector('#board[data-input="move"]', { timeout: STEP_MS });
    expect(await bob.$$eval('#moves .san', (els) => els.length)).toBe(3);

    // Moretime: bob gives alice 15 s; both pages show her clock up by 15.
    const before = await clockSeconds(bob, 'white');
    await bob.click('#moretime');
    for (const page of [alice, bob]) {
      await page.waitForFunction((b) => {
        const [m, s] = (document.querySelector('#clock-white')?.textContent ?? '').split(':').map(Number);
        return (m ?? 0) * 60 + Math.floor(s ?? 0) >= b + 14;
      }, before, { timeout: STEP_MS });
    }
    expect(await alice.textContent('#toast')).toContain('15 seconds');

    // A takeback asked and declined, then asked again and accepted: the move is gone on both pages.
    await playMove(bob, 'd7d6');
    await movesShown(alice, 4);
    await bob.click('#takeback');
    await alice.waitForSelector('#takeback-prompt:not([hidden])', { timeout: STEP_MS });
    await bob.waitForFunction(() => document.querySelector('#takeback')?.textContent?.includes('asked'), null, { timeout: STEP_MS });
    await alice.click('#takeback-decline');
    await bob.waitForFunction(() => document.querySelector('#toast')?.textContent?.includes('declined the takeback'), null, { timeout: STEP_MS });
    await alice.waitForSelector('#takeback-prompt[hidden]', { state: 'attached', timeout: STEP_MS });
    expect((await gameState(bob)).fen).toContain('ppp2ppp/3p4');
    await bob.click('#takeback');
    await alice.waitForSelector('#takeback-prompt:not([hidden])', { timeout: STEP_MS });
    await alice.click('#takeback-accept');
    for (const page of [alice, bob]) {
      await page.waitForFunction(() => document.querySelectorAll('#moves .san').length === 3, null, { timeout: STEP_MS });
    }
    expect((await gameState(bob)).fen).toBe('rnbqkbnr/pppp1ppp/8/4p3/4P3/5N2/PPPP1PPP/RNBQKB1R b KQkq - 1 2');
    await bob.waitForSelector('#board[data-input="move"]', { timeout: STEP_MS }); // his move again

    // Sounds off on alice's page, kept over a reload: bob's next move makes no sound there.
    await alice.click('#sound');
    expect(await alice.getAttribute('#sound', 'aria-pressed')).toBe('false');
    await alice.reload();
    await alice.waitForSelector('#sound[aria-pressed="false"]', { timeout: STEP_MS });
    await movesShown(alice, 3);
    const quiet = await tones(alice);
    await playMove(bob, 'b8c6');
    await movesShown(alice, 4);
    expect(await tones(alice)).toBe(quiet);

    // Meanwhile the idle game was aborted by the first-move timer: no result on either page.
    for (const page of [idleWhite, idleBlack]) {
      await page.waitForSelector('#game-over:not([hidden])', { timeout: 30_000 });
      expect(await page.textContent('#result-title')).toBe('Game aborted');
      expect(await page.textContent('[data-testid="result"]')).toContain('aborted');
      expect(await page.isHidden('#first-move')).toBe(true);
    }
    expect(site.pageErrors).toEqual([]);
  }, 120_000);
});
