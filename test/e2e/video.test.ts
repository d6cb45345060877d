// A video call in real Chromium (a fake camera and microphone), the two players on different
// gateway processes, a local coturn handing out relays: White calls, Black (on a phone) accepts,
// and each page decodes the other's video; the camera switch disables the track; a move is played
// during the call; at 375 px nothing sticks out sideways and the board comes first. Hung up, then
// called again (by Black) with the relay forced on both pages: frames decode again and both
// selected candidate pairs are relayed, so the media went through coturn with the gateway's
// credentials.
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import type { Page } from 'playwright-core';
import { startCoturn, type Coturn } from '../support/coturn.js';
import { activeGame, ARTIFACTS, movesShown, playMove, roomCode, startSite, type Site, STEP_MS } from '../support/site.js';

let coturn: Coturn;
let site: Site;
beforeAll(async () => {
  coturn = await startCoturn();
  site = await startSite({ gateway: coturn.gatewayEnv, fakeMedia: true });
}, 60_000);
afterAll(async () => {
  await site?.stop();
  await coturn?.stop();
}, 30_000);

const CALL_MS = 30_000; // camera, ICE and the first frames, on a busy CI machine
const tid = (id: string) => `[data-testid="${id}"]`;
type Hook = { __gambitVideo: { pc(): RTCPeerConnection | null; state(): { relay: boolean | null } }; __decoded?: WeakMap<object, number> };

/**
 * Waits until this page's call decodes video from the other page. getStats is asynchronous and
 * waitForFunction's predicate is not: each poll asks for new stats and reads the last answer (per
 * peer connection, so the second call starts from nothing).
 */
async function framesDecoded(page: Page): Promise<void> {
  await page.waitForFunction(() => {
    const w = window as unknown as Hook;
    const pc = w.__gambitVideo.pc();
    if (!pc) return false;
    const decoded = (w.__decoded ??= new WeakMap());
    void pc.getStats().then((r) => r.forEach((s: { type: string; kind?: string; framesDecoded?: number }) => {
      if (s.type === 'inbound-rtp' && s.kind === 'video') decoded.set(pc, s.framesDecoded ?? 0);
    }));
    return (decoded.get(pc) ?? 0) > 0;
  }, null, { timeout: CALL_MS, polling: 200 });
}

/** The local candidate type of the selected candidate pair ('host', 'srflx', 'relay'). */
const selectedLocalType = (page: Page) => page.evaluate(async () => {
  const stats = await (window as unknown as Hook).__gambitVideo.pc()!.getStats();
  let pairId: string | undefined;
  stats.forEach((s: { type: string; selectedCandidatePairId?: string }) => {
    if (s.type === 'transport' && s.selectedCandidatePairId) pairId = s.selectedCandidatePairId;
  });
  return stats.get(stats.get(pairId ?? '')?.localCandidateId ?? '')?.candidateType as string | undefined;
});

/** One page calls, the other accepts; both decode the other's video. */
async function call(caller: Page, callee: Page): Promise<void> {
  await caller.click(tid('video-start'), { timeout: STEP_MS });
  await callee.click(tid('video-accept'), { timeout: CALL_MS });
  for (const page of [caller, callee]) {
    await page.waitForSelector(`${tid('video-status')}[data-state="connected"]`, { timeout: CALL_MS });
    await framesDecoded(page);
  }
}

describe('video and voice between the players', () => {
  test('a call across two gateways with frames both ways while the game goes on; again through the TURN relay only', async () => {
    const other = await site.stack.addGateway();
    const white = await site.newPlayer();
    const black = await site.newPlayer({ viewport: { width: 375, height: 740 }, isMobile: true, hasTouch: true });
    await black.goto(other); // black's socket is on the second gateway process
    await black.waitForSelector('#conn-state[data-state="online"]', { timeout: STEP_MS });
    await white.selectOption('#color', 'white');
    await white.click('#create');
    const room = await roomCode(white);
    await black.fill('#join-code', room);
    await black.click('#join');
    await Promise.all([activeGame(white), activeGame(black)]);

    await call(white, black);
    // The camera switch disables the track being sent (no renegotiation); the game goes on meanwhile.
    await white.click(tid('video-camera'));
    expect(await white.evaluate(() => (window as unknown as Hook).__gambitVideo.pc()!.getSenders().find((s) => s.track?.kind === 'video')!.track!.enabled)).toBe(false);
    await playMove(white, 'e2e4');
    await movesShown(black, 1);
    // On the phone: nothing sticks out sideways; the board comes before the call.
    expect(await black.evaluate(() => document.documentElement.scrollWidth <= document.documentElement.clientWidth)).toBe(true);
    const board = (await black.locator('#board').boundingBox())!;
    const panel = (await black.locator(tid('video-panel')).boundingBox())!;
    expect(board.y + board.height).toBeLessThanOrEqual(panel.y);
    expect(panel.x + panel.width).toBeLessThanOrEqual(375);
    await black.screenshot({ path: `${ARTIFACTS}/e2e-phone-video.png`, fullPage: true });
    await white.screenshot({ path: `${ARTIFACTS}/e2e-video.png` });

    await white.click(tid('video-hangup'));
    await black.waitForSelector(`${tid('video-status')}[data-reason="hung-up"]`, { timeout: STEP_MS });

    // Relay only (the page's switch, read when a call starts): Black calls this time.
    for (const page of [white, black]) await page.evaluate(() => localStorage.setItem('gambit.video.relay', '1'));
    await call(black, white);
    for (const page of [white, black]) {
      expect(await selectedLocalType(page)).toBe('relay');
      await page.waitForFunction(() => (window as unknown as Hook).__gambitVideo.state().relay === true, null, { timeout: STEP_MS });
    }
    await black.click(tid('video-hangup'));
    await white.waitForSelector(`${tid('video-status')}[data-reason="hung-up"]`, { timeout: STEP_MS });
    expect(site.pageErrors).toEqual([]);
  }, 120_000);
});
