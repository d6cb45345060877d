// Accounts end to end without a page: the gateway, the accounts service and the embedded OpenID
// provider, all real, driven by a cookie-keeping HTTP client as a browser would drive them. Sign-up
// and sign-in with code + PKCE, the session's socket tokens at the gateway, and everything that
// must be refused: a callback from another browser, a replayed callback, a cross-site POST, an
// ended or expired session, another player's account. Refused means refused AND nothing changed.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createHash } from 'node:crypto';
import { Redis } from 'ioredis';
import { keys as makeKeys } from '@gambit/common';
import { startStack, type Stack } from '../support/stack.js';
import { HttpBrowser } from '../support/http-browser.js';
import { TestPlayer, guest, play, startGame } from '../support/player.js';
import { waitFor } from '../support/redis.js';

let stack: Stack;
let redis: Redis;

beforeAll(async () => {
  stack = await startStack({ accounts: true });
  redis = new Redis(stack.redisUrl);
}, 60_000);
afterAll(async () => {
  redis.disconnect();
  await stack?.stop();
});

const password = 'correct horse battery';

/** Signs up at the provider through the site's /auth/signup in `b`; returns where the site sent it. */
const signUp = (b: HttpBrowser, username: string, returnTo = '/'): Promise<string> => b.signUp(username, password, returnTo);

async function signIn(b: HttpBrowser, username: string): Promise<string> {
  const hops = await b.follow(`${b.site}/auth/login`);
  const page = hops.at(-1)!;
  const form = HttpBrowser.form(page.body, page.url);
  const done = await b.follow(form.action, { method: 'POST', body: new URLSearchParams({ ...form.fields, username, password }) });
  return done.at(-1)!.url;
}

async function session(b: HttpBrowser, body: Record<string, unknown> = {}): Promise<{ status: number; json: Record<string, unknown> }> {
  const r = await b.request(`${b.site}/api/session`, { method: 'POST', body: JSON.stringify(body) });
  return { status: r.status, json: JSON.parse(r.body || '{}') as Record<string, unknown> };
}

/** hello with `token`: the identity the gateway welcomed, or the close code it refused with. */
async function hello(token: string): Promise<{ playerId?: string; name?: string; refused?: number }> {
  const p = await TestPlayer.open(stack.wsUrl);
  p.send({ t: 'hello', token });
  const outcome = await Promise.race([
    p.next('welcome').then((w) => ({ playerId: String(w.playerId), name: String(w.name) })),
    p.closed.then((c) => ({ refused: c.code })),
  ]);
  p.ws.close();
  return outcome;
}

describe('sign-up and sign-in', () => {
  it('a new player signs up, comes back signed in where they started, and plays under their account', async () => {
    const b = new HttpBrowser(stack.httpUrl);
    const landed = await signUp(b, 'Alice_1', '/@/Alice_1');
    expect(landed).toBe(`${stack.httpUrl}/@/Alice_1`);
    expect(b.cookie('gambit_sid')).toBeDefined();
    const s = await session(b);
    expect(s.json).toMatchObject({ kind: 'user', name: 'Alice_1' });
    expect(String(s.json.playerId)).toMatch(/^u_/);
    expect(await hello(String(s.json.token))).toEqual({ playerId: s.json.playerId, name: 'Alice_1' });
    const account = JSON.parse((await b.request(`${stack.httpUrl}/api/account`)).body) as Record<string, unknown>;
    expect(account).toMatchObject({ playerId: s.json.playerId, username: 'Alice_1', provider: stack.accounts!.issuer });
    const lookup = await b.request(`${stack.httpUrl}/api/users/alice_1`);
    expect(JSON.parse(lookup.body)).toMatchObject({ playerId: s.json.playerId, username: 'Alice_1', online: false });
  });

  it('signing in again (another browser) is the same player; the session id is new each time', async () => {
    const first = new HttpBrowser(stack.httpUrl);
    await signUp(first, 'bob-2');
    const second = new HttpBrowser(stack.httpUrl);
    await signIn(second, 'bob-2');
    const [a, b] = [await session(first), await session(second)];
    expect(b.json.playerId).toBe(a.json.playerId);
    expect(second.cookie('gambit_sid')).not.toBe(first.cookie('gambit_sid'));
  });

  it('a callback carried to another browser signs nobody in, and a replayed callback is refused', async () => {
    const victim = new HttpBrowser(stack.httpUrl);
    const attacker = new HttpBrowser(stack.httpUrl);
    // The attacker runs a sign-in up to the provider's redirect back, and stops there.
    const hops = await attacker.follow(`${stack.httpUrl}/auth/signup`);
    const form = HttpBrowser.form(hops.at(-1)!.body, hops.at(-1)!.url);
    let next = (await attacker.request(form.action, { method: 'POST', body: new URLSearchParams({ ...form.fields, username: 'mallory', password }) })).location!;
    while (!next.startsWith(`${stack.httpUrl}/auth/callback`)) next = (await attacker.request(next)).location!;
    const other = await victim.request(next);
    expect(other.status).toBe(400);
    expect(JSON.parse(other.body)).toMatchObject({ error: 'bad_sign_in' });
    expect(victim.cookie('gambit_sid')).toBeUndefined();
    // The attacker's own browser may use it once (the state is taken), not twice.
    expect((await attacker.request(next)).status).toBe(302);
    const replay = await attacker.request(next);
    expect(replay.status).toBe(400);
  });

  it('a return path off the site is ignored, and an unusual one is kept safely encoded', async () => {
    for (const [asked, landed] of [['//evil.example/x', '/'], ['https://evil.example/', '/'], ['/\\evil.example', '/'], ['/@/é?x=1', '/@/%C3%A9?x=1']]) {
      const b = new HttpBrowser(stack.httpUrl);
      expect([asked, await b.signUp(`ret${Math.random().toString(36).slice(2, 8)}`, password, asked)]).toEqual([asked, `${stack.httpUrl}${landed}`]);
      expect(b.cookie('gambit_sid')).toBeDefined();
    }
  });

  it('the socket token names the session without carrying the cookie’s secret', async () => {
    const b = new HttpBrowser(stack.httpUrl);
    const { json } = await session(b);
    const claims = JSON.parse(Buffer.from(String(json.token).split('.')[1]!, 'base64url').toString()) as Record<string, unknown>;
    expect(typeof claims.sid).toBe('string');
    expect(claims.sid).not.toBe(b.cookie('gambit_sid'));
    expect(JSON.stringify(claims)).not.toContain(b.cookie('gambit_sid')!);
  });

  it('an ID token whose nonce is not the one this sign-in sent is refused, and nobody is signed in', async () => {
    const b = new HttpBrowser(stack.httpUrl);
    const hops = await b.follow(`${stack.httpUrl}/auth/signup`);
    const form = HttpBrowser.form(hops.at(-1)!.body, hops.at(-1)!.url);
    let next = (await b.request(form.action, { method: 'POST', body: new URLSearchParams({ ...form.fields, username: 'nonce-check', password }) })).location!;
    while (!next.startsWith(`${stack.httpUrl}/auth/callback`)) next = (await b.request(next)).location!;
    // What a token injected from another sign-in looks like to this one: a nonce it never sent.
    const key = makeKeys(stack.keyPrefix).signIn(new URL(next).searchParams.get('state')!);
    const started = JSON.parse((await redis.get(key))!) as { nonce: string };
    await redis.set(key, JSON.stringify({ ...started, nonce: `${started.nonce}x` }), 'KEEPTTL');
    const r = await b.request(next);
    expect([r.status, JSON.parse(r.body).error]).toEqual([400, 'bad_sign_in']);
    expect(b.cookie('gambit_sid')).toBeUndefined();
  });

  it('a callback with a wrong state is refused', async () => {
    const b = new HttpBrowser(stack.httpUrl);
    await b.request(`${stack.httpUrl}/auth/login`);
    const r = await b.request(`${stack.httpUrl}/auth/callback?code=abc&state=${b.cookie('gambit_signin')}x`);
    expect(r.status).toBe(400);
    expect(b.cookie('gambit_sid')).toBeUndefined();
  });
});

describe('guests', () => {
  it('a guest session is one identity for every tab of the browser; its name can change', async () => {
    const b = new HttpBrowser(stack.httpUrl);
    const first = await session(b, { name: 'Tabby' });
    expect(first.json).toMatchObject({ kind: 'guest', name: 'Tabby' });
    const again = await session(b);
    expect(again.json.playerId).toBe(first.json.playerId);
    const renamed = await session(b, { name: 'Tabitha' });
    expect(renamed.json).toMatchObject({ playerId: first.json.playerId, name: 'Tabitha' });
    expect(await hello(String(renamed.json.token))).toEqual({ playerId: first.json.playerId, name: 'Tabitha' });
  });

  it('a guest who plays, then signs up, finds that game and its stats under the account', async () => {
    const b = new HttpBrowser(stack.httpUrl);
    const g = await session(b);
    const gameId = await finishedGame(String(g.json.token));
    await signUp(b, 'carol');
    const user = await session(b);
    expect(user.json.kind).toBe('user');
    const games = await stored(`/api/players/${String(user.json.playerId)}/games`, (j) => (j.games as { gameId: string }[]).some((x) => x.gameId === gameId));
    expect((games.games as unknown[]).length).toBe(1);
    expect(await stored(`/api/players/${String(user.json.playerId)}`, (j) => j.games === 1)).toMatchObject({ wins: 0, losses: 1 });
    expect((await fetch(`${stack.httpUrl}/api/players/${String(g.json.playerId)}`)).status).toBe(404);
    const record = await stored(`/api/games/${gameId}`, () => true);
    expect(record.white).toMatchObject({ playerId: user.json.playerId, name: 'carol' });
  });
});

describe('refusals change nothing', () => {
  it('cross-site requests are refused before anything is read or changed', async () => {
    const b = new HttpBrowser(stack.httpUrl);
    await signUp(b, 'dave');
    const evil = { origin: 'https://evil.example' };
    const rename = await b.request(`${stack.httpUrl}/api/account`, { method: 'PATCH', body: JSON.stringify({ username: 'dave2' }), headers: evil });
    expect(rename.status).toBe(403);
    const del = await b.request(`${stack.httpUrl}/api/account`, { method: 'DELETE', body: JSON.stringify({ confirm: 'dave' }), headers: evil });
    expect(del.status).toBe(403);
    const out = await b.request(`${stack.httpUrl}/auth/logout`, { method: 'POST', headers: evil });
    expect(out.status).toBe(403);
    for (const origin of ['null', '']) {
      const r = await b.request(`${stack.httpUrl}/api/account`, { method: 'PATCH', body: JSON.stringify({ username: 'dave3' }), headers: { origin } });
      expect([origin, r.status]).toEqual([origin, 403]);
    }
    // Without any Origin header (not a browser, or a very old one): refused too.
    const bare = await fetch(`${stack.httpUrl}/api/account`, { method: 'PATCH', body: '{"username":"dave4"}', headers: { cookie: `gambit_sid=${b.cookie('gambit_sid')}` } });
    expect(bare.status).toBe(403);
    // A cross-site page cannot mint a session (nor read its token) either.
    const stranger = new HttpBrowser(stack.httpUrl);
    const minted = await stranger.request(`${stack.httpUrl}/api/session`, { method: 'POST', body: '{}', headers: evil });
    expect(minted.status).toBe(403);
    expect(stranger.cookie('gambit_sid')).toBeUndefined();
    expect(JSON.parse((await b.request(`${stack.httpUrl}/api/account`)).body)).toMatchObject({ username: 'dave' });
    expect((await session(b)).json.kind).toBe('user');
  });

  it('every account endpoint answers 401 without a session', async () => {
    const b = new HttpBrowser(stack.httpUrl);
    expect((await b.request(`${stack.httpUrl}/api/account`)).status).toBe(401);
    expect((await b.request(`${stack.httpUrl}/api/account/export`)).status).toBe(401);
    expect((await b.request(`${stack.httpUrl}/api/account`, { method: 'PATCH', body: '{"username":"zed"}' })).status).toBe(401);
    expect((await b.request(`${stack.httpUrl}/api/account`, { method: 'DELETE', body: '{"confirm":"zed"}' })).status).toBe(401);
  });

  it('a rename to a taken name (any case) or a bad name is refused; one account cannot touch another', async () => {
    const erin = new HttpBrowser(stack.httpUrl);
    await signUp(erin, 'erin');
    const frank = new HttpBrowser(stack.httpUrl);
    await signUp(frank, 'frank');
    const taken = await frank.request(`${stack.httpUrl}/api/account`, { method: 'PATCH', body: JSON.stringify({ username: 'ERIN' }) });
    expect(taken.status).toBe(409);
    const bad = await frank.request(`${stack.httpUrl}/api/account`, { method: 'PATCH', body: JSON.stringify({ username: 'x!' }) });
    expect(bad.status).toBe(400);
    expect(JSON.parse(bad.body).message).toMatch(/at least 3|letters/);
    const reserved = await frank.request(`${stack.httpUrl}/api/account`, { method: 'PATCH', body: JSON.stringify({ username: 'deleted-123abc' }) });
    expect([reserved.status, JSON.parse(reserved.body).error]).toEqual([400, 'bad_username']);
    const ok = await frank.request(`${stack.httpUrl}/api/account`, { method: 'PATCH', body: JSON.stringify({ username: 'Franky' }) });
    expect(JSON.parse(ok.body)).toMatchObject({ username: 'Franky' });
    expect((await session(frank)).json.name).toBe('Franky');
    expect(JSON.parse((await erin.request(`${stack.httpUrl}/api/account`)).body)).toMatchObject({ username: 'erin' });
    expect((await erin.request(`${stack.httpUrl}/api/users/frank`)).status).toBe(404); // held, points at nobody
  });

  it('sign-out closes the open socket; the old socket token no longer works; the session is gone', async () => {
    const b = new HttpBrowser(stack.httpUrl);
    await signUp(b, 'gina');
    const token = String((await session(b)).json.token);
    expect((await hello(token)).playerId).toMatch(/^u_/);
    const open = await TestPlayer.connect(stack.httpUrl, 'gina', { token });
    const out = await b.request(`${stack.httpUrl}/auth/logout`, { method: 'POST' });
    expect(out.status).toBe(303);
    expect(out.location).toMatch(new RegExp(`^${stack.accounts!.issuer}/`)); // ends the provider's session too
    expect(await open.closed).toEqual({ code: 4401, reason: 'signed out' });
    expect(await hello(token)).toEqual({ refused: 4401 });
    expect((await b.request(`${stack.httpUrl}/api/account`)).status).toBe(401);
  });

  it('an expired or revoked session ends its tokens too', async () => {
    const b = new HttpBrowser(stack.httpUrl);
    await signUp(b, 'hank');
    const token = String((await session(b)).json.token);
    const handle = createHash('sha256').update(b.cookie('gambit_sid')!).digest('base64url'); // sessions are keyed by the cookie's hash
    await redis.del(makeKeys(stack.keyPrefix).session(handle)); // what expiry does
    expect(await hello(token)).toEqual({ refused: 4401 });
    expect((await b.request(`${stack.httpUrl}/api/account`)).status).toBe(401);
  });

  it('bare guest tokens keep working beside sessions (PROTOCOL v1 clients and bots)', async () => {
    const g = await guest(stack.httpUrl, 'bot');
    expect(await hello(g.token)).toEqual({ playerId: g.playerId, name: 'bot' });
  });
});

describe('the player’s data', () => {
  it('export holds the account and its games; delete needs the username typed, ends every session, and the games show a tombstone', async () => {
    const b = new HttpBrowser(stack.httpUrl);
    await signUp(b, 'ivy');
    const gameId = await finishedGame(String((await session(b)).json.token));
    await stored(`/api/games/${gameId}`, () => true);
    const other = new HttpBrowser(stack.httpUrl);
    await signIn(other, 'ivy');
    const exp = await b.request(`${stack.httpUrl}/api/account/export`);
    expect(exp.status).toBe(200);
    expect(exp.res.headers.get('content-disposition')).toContain('attachment');
    const data = JSON.parse(exp.body) as { account: { username: string; playerId: string }; games: { gameId: string }[] };
    expect(data.account.username).toBe('ivy');
    expect((data as unknown as { sessions: unknown[] }).sessions).toHaveLength(2); // this browser and the other
    expect(data.games.map((x) => x.gameId)).toEqual([gameId]);
    const token = String((await session(other)).json.token);
    const open = await TestPlayer.connect(stack.httpUrl, 'ivy', { token });
    const wrong = await b.request(`${stack.httpUrl}/api/account`, { method: 'DELETE', body: JSON.stringify({ confirm: 'ivx' }) });
    expect(wrong.status).toBe(400);
    expect((await b.request(`${stack.httpUrl}/api/users/ivy`)).status).toBe(200);
    const del = await b.request(`${stack.httpUrl}/api/account`, { method: 'DELETE', body: JSON.stringify({ confirm: 'IVY' }) });
    expect(del.status).toBe(204);
    expect((await b.request(`${stack.httpUrl}/api/users/ivy`)).status).toBe(404);
    expect((await other.request(`${stack.httpUrl}/api/account`)).status).toBe(401);
    expect(await open.closed).toEqual({ code: 4401, reason: 'signed out' });
    expect(await hello(token)).toEqual({ refused: 4401 });
    expect(await redis.exists(makeKeys(stack.keyPrefix).lastSeen(data.account.playerId))).toBe(0);
    const record = await stored(`/api/games/${gameId}`, (j) => (j.white as { name: string }).name !== 'ivy');
    expect((record.white as { name: string }).name).toMatch(/^deleted-[0-9a-f]{6}$/);
    expect(String(record.pgn)).not.toContain('ivy');
    const opponent = (record.black as { playerId: string }).playerId;
    const theirs = await stored(`/api/players/${opponent}/games`, () => true);
    expect((theirs.games as { gameId: string }[]).map((x) => x.gameId)).toEqual([gameId]);
  });
});

/** A game that `token`'s player loses as White to a fresh guest (fool's mate); its id once finished. */
async function finishedGame(token: string): Promise<string> {
  const white = await TestPlayer.connect(stack.httpUrl, 'white', { token });
  const black = await TestPlayer.connect(stack.httpUrl, 'black');
  const room = await startGame(white, black);
  await play(room, white, black, ['f2f3', 'e7e5', 'g2g4', 'd8h4']);
  await Promise.all([white.next('ended'), black.next('ended')]);
  white.ws.close();
  black.ws.close();
  const state = await redis.hget(makeKeys(stack.keyPrefix).room(room), 's');
  return (JSON.parse(state!) as { gameId: string }).gameId;
}

/** GET a read-API path through the gateway until `ready` holds for its JSON (the finalizer works behind a stream). */
async function stored(path: string, ready: (j: Record<string, unknown>) => boolean): Promise<Record<string, unknown>> {
  let last: Record<string, unknown> = {};
  await waitFor(async () => {
    const r = await fetch(`${stack.httpUrl}${path}`);
    if (!r.ok) return false;
    last = (await r.json()) as Record<string, unknown>;
    return ready(last);
  }, 15_000, `${path} never became ready`);
  return last;
}
