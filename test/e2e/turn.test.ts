// The local coturn checks the credentials the gateway hands out (TURN REST): in real Chromium, a
// peer connection limited to relays gathers a relay candidate with the player's credentials from
// `ice`, and gets none (a 401 from coturn) with credentials that expired or were signed with
// another secret. The video call itself, through this relay, is in video.test.ts.
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { createHmac } from 'node:crypto';
import { startSite, type Site } from '../support/site.js';
import { startCoturn, type Coturn } from '../support/coturn.js';
import { TestPlayer } from '../support/player.js';

let coturn: Coturn;
let site: Site;
beforeAll(async () => {
  coturn = await startCoturn();
  site = await startSite({ gateway: coturn.gatewayEnv });
}, 60_000);
afterAll(async () => {
  await site?.stop();
  await coturn?.stop();
}, 30_000);

type Server = { urls: string[]; username?: string; credential?: string };

/** Gathers ICE candidates in the page with only relays allowed: their types, and the errors' codes. */
async function gather(servers: Server[]): Promise<{ types: string[]; errors: number[] }> {
  const page = await site.newPage();
  await page.goto(site.stack.httpUrl);
  return page.evaluate(async (iceServers) => {
    const pc = new RTCPeerConnection({ iceServers, iceTransportPolicy: 'relay' });
    const types: string[] = [];
    const errors: number[] = [];
    pc.onicecandidate = (e) => { if (e.candidate) types.push(e.candidate.type ?? ''); };
    pc.onicecandidateerror = (e) => { errors.push((e as RTCPeerConnectionIceErrorEvent).errorCode); };
    pc.createDataChannel('probe');
    await pc.setLocalDescription(await pc.createOffer());
    await new Promise<void>((resolve) => {
      if (pc.iceGatheringState === 'complete') return resolve();
      pc.onicegatheringstatechange = () => { if (pc.iceGatheringState === 'complete') resolve(); };
    });
    pc.close();
    return { types, errors };
  }, servers);
}

describe('TURN credentials through coturn', () => {
  test('the gateway\'s credentials get a relay; expired ones and ones signed with another secret get 401 and none', async () => {
    const p = await TestPlayer.connect(site.stack.httpUrl, 'tia');
    await p.ask({ t: 'create', tc: { initialMs: 60_000, incrementMs: 0 } }); // TURN is for seated players
    await p.next('state');
    const ice = await p.ask({ t: 'ice' });
    p.close();
    const turn = (ice.iceServers as Server[]).find((s) => s.urls[0]!.startsWith('turn:'))!;
    const good = await gather([turn]);
    expect(good.types).toContain('relay');

    const sign = (username: string, secret: string) => createHmac('sha1', secret).update(username).digest('base64');
    const expiredName = `${Math.floor(Date.now() / 1000) - 60}:g_tia`;
    const expired = await gather([{ urls: turn.urls, username: expiredName, credential: sign(expiredName, coturn.secret) }]);
    const forged = await gather([{ urls: turn.urls, username: turn.username!, credential: sign(turn.username!, 'not-the-secret') }]);
    for (const refused of [expired, forged]) {
      expect(refused.types).toEqual([]);
      expect(refused.errors).toContain(401);
    }
    expect(site.pageErrors).toEqual([]);
  }, 60_000);
});
