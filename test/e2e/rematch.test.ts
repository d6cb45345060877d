// A rematch in real Chromium against the whole stack (gateway, engine, finalizer, redis-server,
// dynalite): two guests finish a game, one offers a rematch, the other accepts on the prompt, the
// board resets with colours swapped, the series score shows beside the players, they finish the
// second game, and the read API holds both games; a player taking New game ends the next offer.
import { describe, expect, test } from '@jest/globals';
import type { Page } from 'playwright-core';
import { activeGame, finishFoolsMate, gameState, roomCode, useSite, STEP_MS, storedGames } from '../support/site.js';

const START_FEN = 'rnbqkbnr/pppppppp/8/8/8/8/PPPPPPPP/RNBQKBNR w KQkq - 0 1';

const site = useSite();

/** The series points shown beside each side's player: [white, black]. */
async function seriesShown(page: Page, white: string, black: string): Promise<void> {
  await page.waitForFunction(([w, b]) =>
    document.querySelector('[data-testid="series-white"]')?.textContent === w && document.querySelector('[data-testid="series-black"]')?.textContent === b,
  [white, black], { timeout: STEP_MS });
}

/** The side of the player bar under the board (ours, for a player). */
const bottomSide = (page: Page) => page.getAttribute('#board ~ .slot .player', 'data-side');

describe('rematch on the live screen', () => {
  test('finish, rematch (offer, accept), colours swapped, series 1-0, finish again: two stored games; New game ends the next offer', async () => {
    const alice = await site.newPlayer();
    const bob = await site.newPlayer();
    await alice.selectOption('#color', 'white');
    await alice.click('#create');
    const room = await roomCode(alice);
    await bob.fill('#join-code', room);
    await bob.click('#join');
    await bob.waitForURL(`${site.stack.httpUrl}/room/${room}`, { timeout: STEP_MS });

    // Game 1: alice (White) is mated by bob. No score shows before the first result.
    await alice.waitForSelector('#board[data-input="move"] .board.input-enabled', { timeout: STEP_MS });
    expect(await alice.$('[data-testid="series-white"]')).toBeNull();
    await finishFoolsMate(alice, bob);
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
      await activeGame(page);
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
    await finishFoolsMate(bob, alice);
    await seriesShown(alice, '1', '1');

    const aliceId = (await gameState(alice)).me ?? '';
    const games = await storedGames(site, aliceId, 2);
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
    expect(site.pageErrors).toEqual([]);
  }, 90_000);
});
