// Friends in real Chromium with accounts (the embedded provider): one signs up and sends a request
// by username from the Friends screen; the other, signed in elsewhere, finds it there and accepts;
// each then sees the other as a friend who is online (the sender without a reload: the socket says
// so); a request to oneself is explained in words.
import { describe, expect, test } from '@jest/globals';
import { signUpInBrowser, useSite, STEP_MS } from '../support/site.js';

const site = useSite({ accounts: true });

describe('friends on the Friends screen', () => {
  test('request by username, accept, both see each other online; asking oneself says why', async () => {
    const ada = await site.newPlayer();
    const ben = await site.newPlayer();
    await signUpInBrowser(ada, site, 'ada_e2e');
    await signUpInBrowser(ben, site, 'ben_e2e');

    await ada.click('[data-testid="friends-link"]');
    await ada.waitForSelector('[data-testid="add-friend"]', { timeout: STEP_MS });
    await ada.fill('#friend-name', 'ada_e2e');
    await ada.click('[data-testid="friend-add"]');
    await ada.waitForFunction(() => document.querySelector('#toast')?.textContent === 'That is you.', null, { timeout: STEP_MS });
    await ada.fill('#friend-name', 'ben_e2e');
    await ada.click('[data-testid="friend-add"]');
    await ada.waitForSelector('[data-testid="outgoing"] [data-username="ben_e2e"]', { timeout: STEP_MS });
    await ada.evaluate(() => Object.assign(window, { notReloaded: true })); // a reload would lose it

    await ben.click('[data-testid="friends-link"]');
    await ben.waitForSelector('[data-testid="incoming"] [data-username="ada_e2e"]', { timeout: STEP_MS });
    await ben.click('[data-testid="incoming"] [data-testid="friend-accept"]');
    await ben.waitForSelector('[data-testid="friends-list"] [data-username="ada_e2e"] [data-testid="online"]', { timeout: STEP_MS });
    // ada's screen follows her friends' presence over the socket: ben, online and new among them,
    // makes it read the list again, so he moves from her sent requests to her friends, online.
    await ada.waitForSelector('[data-testid="friends-list"] [data-username="ben_e2e"] [data-testid="online"]', { timeout: STEP_MS });
    expect(await ada.$('[data-testid="outgoing"]')).toBeNull();
    expect(await ada.evaluate(() => (window as unknown as { notReloaded?: boolean }).notReloaded)).toBe(true);
    expect(site.pageErrors).toEqual([]);
  });
});
