// Chat in real Chromium: two guests play (black on a phone); white types a line and presses Enter,
// black reads it and answers. A signed-in watcher reads none of it, and what she writes in the
// spectators' chat no player reads; white closes the spectators' chat: her input goes grey under a
// note. Black mutes white: white's next line never shows on his page. Black reloads mid-game: his
// lines are back (caught up) and white is still muted; unmuted, white's lines come back, and a
// report of one is confirmed. At 375 px nothing sticks out sideways, and the board comes first.
import { describe, expect, test } from '@jest/globals';
import type { Page } from 'playwright-core';
import { activeGame, ARTIFACTS, roomCode, signUpInBrowser, useSite, STEP_MS } from '../support/site.js';

const site = useSite({ accounts: true });

const INPUT = '[data-testid="chat-input"]';
const line = (n: number) => `[data-testid="chat-line"][data-n="${n}"]`;

/** Types `text` into the chat and presses Enter. */
async function say(page: Page, text: string): Promise<void> {
  await page.fill(INPUT, text, { timeout: STEP_MS });
  await page.press(INPUT, 'Enter');
}

/** Waits until the page shows line `n` saying `text`. */
async function sees(page: Page, n: number, text: string): Promise<void> {
  await page.waitForFunction(([sel, t]) => document.querySelector(`${sel} .chat-text`)?.textContent === t, [line(n), text] as const, { timeout: STEP_MS });
}

/** The lines the page shows, as "n text". */
const shown = (page: Page) => page.$$eval('[data-testid="chat-line"]', (ls) => ls.map((l) => `${l.getAttribute('data-n')} ${l.querySelector('.chat-text')?.textContent}`));

/** Its chat has been caught up on this socket (the `chat` answer came). */
const caughtUp = (page: Page) => page.waitForSelector('[data-testid="chat-panel"][data-ready="true"]', { timeout: STEP_MS });

describe('chat beside the game', () => {
  test('players\' and spectators\' chats apart; closing the spectators\' chat; mute; a reload catches up; unmute; report', async () => {
    const white = await site.newPlayer();
    const black = await site.newPlayer({ viewport: { width: 375, height: 740 }, isMobile: true, hasTouch: true });
    const carol = await site.newPage();
    // She signs up while the two start their game.
    const signedUp = signUpInBrowser(carol, site, 'carol_chat');
    await white.selectOption('#color', 'white');
    await white.click('#create');
    const room = await roomCode(white);
    await black.fill('#join-code', room);
    await black.click('#join');
    await Promise.all([activeGame(white), activeGame(black), caughtUp(white), caughtUp(black)]);
    const whiteName = (await white.textContent('#me')) ?? '';
    expect(await white.textContent('[data-testid="chat-panel"] h2')).toBe('Chat with your opponent');

    // The players talk; Enter sends, the input empties, the sender sees the line too.
    await say(white, 'good luck');
    await sees(black, 1, 'good luck');
    expect(await black.getAttribute(line(1), 'data-by')).toBe(whiteName);
    await sees(white, 1, 'good luck');
    expect(await white.inputValue(INPUT)).toBe('');
    expect(await white.$(`${line(1)} [data-testid="chat-mute"]`)).toBeNull(); // no Mute on one's own line
    await say(black, 'thanks, <b>you</b> too');
    await sees(white, 2, 'thanks, <b>you</b> too'); // as text, never HTML

    // A signed-in watcher: the spectators' chat, without the players' lines.
    await signedUp;
    await carol.goto(`${site.stack.httpUrl}/room/${room}`);
    await caughtUp(carol);
    expect(await carol.textContent('[data-testid="chat-panel"] h2')).toBe("Spectators' chat");
    expect(await shown(carol)).toEqual([]);
    expect(await carol.$('[data-testid="chat-spectators-toggle"]')).toBeNull();
    await say(carol, 'nice opening');
    await sees(carol, 1, 'nice opening');

    // White closes the spectators' chat: everyone gets the note, the watcher's input is off.
    await white.uncheck('[data-testid="chat-spectators-toggle"]');
    await carol.waitForSelector('[data-testid="chat-closed-note"]', { timeout: STEP_MS });
    expect(await carol.isDisabled(INPUT)).toBe(true);
    await black.waitForSelector('[data-testid="chat-closed-note"]', { timeout: STEP_MS });
    expect(await black.isChecked('[data-testid="chat-spectators-toggle"]')).toBe(false);
    // The note came after carol's line on the same way: had her line reached the players, it would be here.
    for (const page of [white, black]) expect(await shown(page)).toEqual(['1 good luck', '2 thanks, <b>you</b> too']);

    // Black mutes white: white's line goes, and the next one never shows.
    await black.click(`${line(1)} [data-testid="chat-mute"]`);
    await black.waitForSelector(line(1), { state: 'detached', timeout: STEP_MS });
    await say(white, 'are you still there?');
    await sees(white, 3, 'are you still there?');
    await say(black, 'still here');
    await sees(white, 4, 'still here');
    await sees(black, 4, 'still here'); // after line 3 on the same way: line 3 did not come
    expect(await shown(black)).toEqual(['2 thanks, <b>you</b> too', '4 still here']);

    // A reload mid-game: the lines are caught up; the mute holds.
    await black.reload();
    await black.waitForSelector('#conn-state[data-state="online"]', { timeout: STEP_MS });
    await Promise.all([activeGame(black), caughtUp(black)]);
    expect(await shown(black)).toEqual(['2 thanks, <b>you</b> too', '4 still here']);

    // Unmuted, white's lines come back; a report of one is confirmed.
    await black.click(`[data-testid="chat-unmute"][data-name="${whiteName}"]`, { timeout: STEP_MS });
    await sees(black, 3, 'are you still there?');
    expect(await shown(black)).toEqual(['1 good luck', '2 thanks, <b>you</b> too', '3 are you still there?', '4 still here']);
    await black.click(`${line(3)} [data-testid="chat-report"]`);
    await black.waitForFunction(() => document.querySelector('#toast')?.textContent === 'Reported', null, { timeout: STEP_MS });

    // At phone width: nothing sticks out sideways, and the board comes before the chat.
    expect(await black.evaluate(() => document.documentElement.scrollWidth <= document.documentElement.clientWidth)).toBe(true);
    const board = await black.locator('#board').boundingBox();
    const chat = await black.locator('[data-testid="chat-panel"]').boundingBox();
    expect(chat!.x + chat!.width).toBeLessThanOrEqual(375);
    expect(board!.y + board!.height).toBeLessThanOrEqual(chat!.y);
    await black.screenshot({ path: `${ARTIFACTS}/e2e-phone-chat.png`, fullPage: true });
    await white.screenshot({ path: `${ARTIFACTS}/e2e-chat.png` });
    expect(site.pageErrors).toEqual([]);
  }, 60_000);
});
