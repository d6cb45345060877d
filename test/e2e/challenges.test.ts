// Challenging a friend in real Chromium, across two gateway processes: ada and ben sign up and
// become friends (on the first gateway: the accounts service checks the Origin of its POSTs), then
// ben's page moves to the second gateway, still signed in. ada's Friends screen shows him online
// without a reload; a challenge he declines leaves her list, one she cancels leaves his banner;
// the one he accepts from the banner (shown at once, whatever screen he is on, and again after a
// reload) seats both in a game with the colour ada asked for; after it, her next challenge starts
// the next game in the same room: the two friends' own. ben's page is phone-sized: nothing may
// stick out sideways.
import { describe, expect, test } from '@jest/globals';
import type { Page } from 'playwright-core';
import { activeGame, ARTIFACTS, finishFoolsMate, gameState, signUpInBrowser, useSite, STEP_MS } from '../support/site.js';

const site = useSite({ accounts: true });

const friendRow = (username: string) => `[data-testid="friends-list"] [data-username="${username}"]`;
const incoming = (from: string) => `[data-testid="incoming-challenge"][data-from="${from}"]`;
const outgoing = (to: string) => `[data-testid="outgoing-challenge"][data-to="${to}"]`;
/** Nothing sticks out sideways (a phone would scroll the whole page), the header's links included. */
const fitsWidth = (page: Page) => page.evaluate(() => {
  const fits = (e: Element | null) => !e || e.scrollWidth <= e.clientWidth;
  return fits(document.documentElement) && fits(document.querySelector('header')) && fits(document.querySelector('header .who'));
});

/** From the Friends screen: the Challenge button of `friend`'s row, the form filled in, Send; returns the challenge's id. */
async function challenge(page: Page, friend: string, terms: { tc: string; color: 'white' | 'black' | 'random'; rated: boolean }): Promise<string> {
  const row = friendRow(friend);
  await page.click(`${row} [data-testid="challenge-button"]`, { timeout: STEP_MS });
  await page.selectOption(`${row} [data-testid="challenge-form"] [data-testid="challenge-tc"]`, terms.tc);
  await page.selectOption(`${row} [data-testid="challenge-form"] [data-testid="challenge-color"]`, terms.color);
  await page.setChecked(`${row} [data-testid="challenge-form"] [data-testid="challenge-rated"]`, terms.rated);
  await page.click(`${row} [data-testid="challenge-send"]`);
  const id = await page.getAttribute(outgoing(friend), 'data-challenge', { timeout: STEP_MS });
  // It stands: the form is gone and the row says so.
  await page.waitForSelector(`${row} [data-testid="friend-challenged"]`, { timeout: STEP_MS });
  expect(await page.$(`${row} [data-testid="challenge-form"]`)).toBeNull();
  return id ?? '';
}

describe('challenging a friend', () => {
  test('live presence, a declined challenge, an accepted one on another gateway, the next game in the same room', async () => {
    const ada = await site.newPlayer();
    const ben = await site.newPlayer({ viewport: { width: 375, height: 740 } }); // ben is on a phone
    await signUpInBrowser(ada, site, 'ada_ch');
    await signUpInBrowser(ben, site, 'ben_ch');

    // Friends, both on the first gateway.
    await ada.click('[data-testid="friends-link"]');
    await ada.fill('#friend-name', 'ben_ch', { timeout: STEP_MS });
    await ada.click('[data-testid="friend-add"]');
    await ada.waitForSelector('[data-testid="outgoing"] [data-username="ben_ch"]', { timeout: STEP_MS });
    // From here on ada's page is never loaded again: this mark would go with a reload.
    await ada.evaluate(() => Object.assign(window, { notReloaded: true }));
    await ben.click('[data-testid="friends-link"]');
    await ben.click('[data-testid="incoming"] [data-testid="friend-accept"]', { timeout: STEP_MS });
    await ben.waitForSelector(`${friendRow('ada_ch')} [data-testid="online"]`, { timeout: STEP_MS });
    await ben.click(`${friendRow('ada_ch')} [data-testid="challenge-button"]`); // the form, at phone width
    await ben.waitForSelector(`${friendRow('ada_ch')} [data-testid="challenge-form"]`, { timeout: STEP_MS });
    expect(await fitsWidth(ben)).toBe(true);
    await ben.screenshot({ path: `${ARTIFACTS}/e2e-phone-challenge-form.png` });

    // ben moves to the second gateway process. The session cookie is the host's, whatever the port,
    // but the accounts service takes POST /api/session (the socket's token) only from the site's
    // origin, and here each gateway has its own port: his requests there carry the site's origin,
    // as they would through the one address that fronts every gateway in production.
    const other = await site.stack.addGateway();
    // (Chromium keeps its own Origin on a continued request: the request is made here and its answer handed back.)
    await ben.route(`${other}/api/**`, async (route) => {
      await route.fulfill({ response: await route.fetch({ headers: { ...route.request().headers(), origin: site.stack.httpUrl } }) });
    });
    await ben.goto(other);
    await ben.waitForSelector('#conn-state[data-state="online"]', { timeout: STEP_MS });
    await ben.waitForFunction(() => document.querySelector('a#me')?.textContent === 'ben_ch', null, { timeout: STEP_MS });

    // ada sees him as a friend who is online, without a reload.
    await ada.waitForSelector(`${friendRow('ben_ch')} [data-testid="online"]`, { timeout: STEP_MS });
    expect(await ada.$('[data-testid="outgoing"]')).toBeNull();

    // A challenge ben declines leaves ada's list (and his banner).
    const declined = await challenge(ada, 'ben_ch', { tc: '3+0', color: 'random', rated: false });
    await ben.waitForSelector(`${incoming('ada_ch')}[data-challenge="${declined}"]`, { timeout: STEP_MS });
    expect(await ben.textContent(incoming('ada_ch'))).toMatch(/ada_ch challenges you: 3 \+ 0 casual, random colour/);
    await ben.click(`${incoming('ada_ch')} [data-testid="challenge-decline"]`);
    await ada.waitForSelector(outgoing('ben_ch'), { state: 'detached', timeout: STEP_MS });
    await ben.waitForSelector(incoming('ada_ch'), { state: 'detached', timeout: STEP_MS });
    await ada.waitForFunction(() => document.querySelector('#toast')?.textContent === 'ben_ch declined your challenge', null, { timeout: STEP_MS });

    // A challenge ada cancels leaves ben's banner.
    const canceled = await challenge(ada, 'ben_ch', { tc: '10+0', color: 'black', rated: true });
    await ben.waitForSelector(`${incoming('ada_ch')}[data-challenge="${canceled}"]`, { timeout: STEP_MS });
    await ada.click(`${outgoing('ben_ch')} [data-testid="challenge-cancel"]`);
    await ben.waitForSelector(incoming('ada_ch'), { state: 'detached', timeout: STEP_MS });
    await ada.waitForSelector(outgoing('ben_ch'), { state: 'detached', timeout: STEP_MS });
    await ben.waitForFunction(() => document.querySelector('#toast')?.textContent === 'ada_ch withdrew the challenge', null, { timeout: STEP_MS });

    // 5+3 rated, ada plays White: the banner on ben's home screen says so, and Accept starts the game.
    const accepted = await challenge(ada, 'ben_ch', { tc: '5+3', color: 'white', rated: true });
    await ben.waitForSelector(`${incoming('ada_ch')}[data-challenge="${accepted}"]`, { timeout: STEP_MS });
    expect(await ben.textContent(incoming('ada_ch'))).toMatch(/ada_ch challenges you: 5 \+ 3 rated, you play Black/);
    expect(await fitsWidth(ben)).toBe(true);
    await ben.screenshot({ path: `${ARTIFACTS}/e2e-phone-challenge-banner.png` });
    await ada.screenshot({ path: `${ARTIFACTS}/e2e-challenge-outgoing.png` });
    // A page loaded anew asks for the challenges that stand: the banner is back.
    await ben.reload();
    await ben.waitForSelector(`${incoming('ada_ch')}[data-challenge="${accepted}"]`, { timeout: STEP_MS });
    await ben.click(`${incoming('ada_ch')} [data-testid="challenge-accept"]`);
    await ada.waitForURL(/\/room\/[A-Z2-9]{8}$/, { timeout: STEP_MS });
    await ben.waitForURL(/\/room\/[A-Z2-9]{8}$/, { timeout: STEP_MS });
    await Promise.all([activeGame(ada), activeGame(ben)]);
    const [a1, b1] = [await gameState(ada), await gameState(ben)];
    expect(a1.room).toMatch(/^[A-Z2-9]{8}$/);
    expect(b1.room).toBe(a1.room);
    expect([a1.color, b1.color]).toEqual(['white', 'black']);
    await ada.waitForSelector(outgoing('ben_ch'), { state: 'detached', timeout: STEP_MS });
    await ben.waitForSelector(incoming('ada_ch'), { state: 'detached', timeout: STEP_MS });
    await finishFoolsMate(ada, ben);

    // The next challenge (ada now Black, casual) is played in the same room: the friends' own.
    await ada.click('[data-testid="friends-link"]');
    await ada.waitForSelector(`${friendRow('ben_ch')} [data-testid="online"]`, { timeout: STEP_MS });
    // The game is over: presence (looked at every 2 s) stops saying he plays.
    await ada.waitForSelector(`${friendRow('ben_ch')} [data-testid="friend-playing"]`, { state: 'detached', timeout: STEP_MS });
    const again = await challenge(ada, 'ben_ch', { tc: '5+3', color: 'black', rated: false });
    // ben still looks at the finished game: the banner shows there too.
    await ben.waitForSelector(`${incoming('ada_ch')}[data-challenge="${again}"]`, { timeout: STEP_MS });
    await ben.click(`${incoming('ada_ch')} [data-testid="challenge-accept"]`);
    await ada.waitForURL(/\/room\/[A-Z2-9]{8}$/, { timeout: STEP_MS });
    await Promise.all([activeGame(ada), activeGame(ben)]);
    const [a2, b2] = [await gameState(ada), await gameState(ben)];
    expect(a2.room).toBe(a1.room);
    expect(b2.room).toBe(a1.room);
    expect([a2.color, b2.color]).toEqual(['black', 'white']);
    expect(ada.url()).toMatch(new RegExp(`/room/${a1.room}$`));
    expect(await ada.evaluate(() => (window as unknown as { notReloaded?: boolean }).notReloaded)).toBe(true);
    expect(site.pageErrors).toEqual([]);
  }, 90_000);
});
