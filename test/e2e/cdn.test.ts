// The page on another origin than the gateway, as on a CDN (docs/client.md, "The server's origin";
// docs/deploy-eks.md step 14): a real nginx (Debian's package) serves a build of the page whose
// config.json names the gateway's origin (web/build.js --api-origin); the gateway, on another port,
// allows nginx's origin (ALLOWED_ORIGINS: CORS with credentials for /api and /auth, the socket's
// Origin check) and the accounts service takes it as the page's (PAGE_ORIGINS: state-changing
// requests, sign-in returns). Two Chromium guests open the page from nginx, one creates a game, the
// other joins by code, they play to mate. Every API call and the socket went to the gateway, the
// session cookie rode along cross-origin, and someone signs up and comes back to nginx's page signed
// in, then signs out. The same page from an origin not on the list gets nothing: no CORS header, no socket.
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { freePort } from '../support/ports.js';
import { startNginx, type Nginx } from '../support/nginx.js';
import { finishFoolsMate, PASSWORD, roomCode, ROOT, startSite, STEP_MS, type Site } from '../support/site.js';

let site: Site;
let nginx: Nginx;
let pageDir = '';
let PAGE = ''; // nginx's origin, on the gateway's list
let FOREIGN = ''; // nginx too, same files, not on the list
let GATEWAY = '';

beforeAll(async () => {
  const [pagePort, foreignPort] = [await freePort(), await freePort()];
  PAGE = `http://127.0.0.1:${pagePort}`;
  FOREIGN = `http://127.0.0.1:${foreignPort}`;
  pageDir = await mkdtemp(join(tmpdir(), 'gambit-cdn-page-'));
  try {
    site = await startSite({ accounts: true, gateway: { ALLOWED_ORIGINS: PAGE }, accountsEnv: { PAGE_ORIGINS: PAGE } });
    GATEWAY = site.stack.httpUrl;
    // The CDN's copy of the page: its own build, config.json naming the gateway.
    execFileSync(process.execPath, ['web/build.js', '--outdir', pageDir, '--api-origin', GATEWAY], { cwd: ROOT, stdio: 'pipe' });
    nginx = await startNginx(pageDir, [pagePort, foreignPort]);
  } catch (err) {
    await site?.stop();
    await rm(pageDir, { recursive: true, force: true });
    throw err;
  }
}, 90_000);

afterAll(async () => {
  await nginx?.stop();
  await site?.stop();
  await rm(pageDir, { recursive: true, force: true });
}, 30_000);

interface Traffic { http: string[]; sockets: string[] }
const traffic = new WeakMap<Page, Traffic>();

/** A fresh browser (its own cookies) on `origin`'s page, its requests and sockets recorded. */
async function openPage(origin: string, path = '/'): Promise<Page> {
  const page = await site.newPage();
  const t: Traffic = { http: [], sockets: [] };
  traffic.set(page, t);
  page.on('request', (r) => t.http.push(`${r.method()} ${r.url()}`));
  page.on('websocket', (ws) => t.sockets.push(ws.url()));
  await page.goto(`${origin}${path}`);
  return page;
}

const online = (page: Page) => page.waitForSelector('#conn-state[data-state="online"]', { timeout: STEP_MS });

/** The page's requests for the server's paths (/api, /auth) and where they went: `METHOD origin/path`. */
const serverCalls = (page: Page) => traffic.get(page)!.http.filter((r) => /^\S+ https?:\/\/[^/]+\/(?:api|auth)\//.test(r));
/** Those that did not go to the gateway (the identity provider's own /auth/... pages aside). */
const strayCalls = (page: Page) => serverCalls(page).filter((c) => !c.includes(` ${GATEWAY}/`) && !c.includes(` ${site.stack.accounts!.issuer}/`));

describe('the page served by nginx, the gateway on another origin', () => {
  test('nginx serves the page and its config, the page\'s routes as index.html', async () => {
    const config = await fetch(`${PAGE}/config.json`);
    expect(config.headers.get('cache-control')).toBe('no-cache');
    expect(await config.json()).toEqual({ api: GATEWAY });
    const route = await fetch(`${PAGE}/room/ABCD2345`);
    expect(route.status).toBe(200);
    expect(await route.text()).toContain('<div id="app">');
  });

  test('two guests play a game to mate through it: every API call and the socket at the gateway', async () => {
    const white = await openPage(PAGE);
    const black = await openPage(PAGE);
    await Promise.all([online(white), online(black)]);
    await white.selectOption('#tc', '5+0');
    await white.selectOption('#color', 'white');
    await white.click('#create');
    const code = await roomCode(white);
    // The share link is the page's (nginx), not the gateway's.
    expect(await white.getAttribute('#share-link', 'href')).toBe(`${PAGE}/room/${code}`);
    await black.fill('#join-code', code);
    await black.click('#join');
    await finishFoolsMate(white, black);
    expect(new URL(black.url()).origin).toBe(PAGE);

    for (const page of [white, black]) {
      const calls = serverCalls(page);
      expect(calls).toContain(`POST ${GATEWAY}/api/session`); // a guest session of the accounts service, cross-origin
      expect(strayCalls(page)).toEqual([]);
      expect(traffic.get(page)!.sockets).toEqual([`${GATEWAY.replace('http:', 'ws:')}/ws`]);
      // The session cookie was set by the gateway's answer to the page's request, and went back with the next ones.
      const cookies = await page.context().cookies(GATEWAY);
      expect(cookies.map((c) => `${c.name} ${c.sameSite} ${c.httpOnly}`)).toContain('gambit_sid Lax true');
      expect(await page.context().cookies(PAGE)).toEqual(cookies); // one host: cookies do not tell ports apart
    }
    // Two sessions, two players (one context each): the game had both.
    const ids = await Promise.all([white, black].map((p) => p.evaluate(() => (window as unknown as { __gambit: { state(): { me: string | null } } }).__gambit.state().me)));
    expect(new Set(ids).size).toBe(2);
    // nginx saw the page and its files, never the server's paths.
    const log = await nginx.accessLog();
    expect(log.some((l) => l.includes('"GET /config.json HTTP/1.1" 200'))).toBe(true);
    expect(log.some((l) => l.includes('"GET / HTTP/1.1" 200'))).toBe(true);
    expect(log.filter((l) => /"[A-Z]+ \/(?:api|auth|ws)\b/.test(l))).toEqual([]);
  }, 60_000);

  test('signing up from nginx\'s page comes back to it signed in; signing out lands there too', async () => {
    const page = await openPage(PAGE, '/watch');
    await online(page);
    const href = await page.getAttribute('[data-testid="sign-up"]', 'href');
    expect(href).toBe(`${GATEWAY}/auth/signup?return=${encodeURIComponent(`${PAGE}/watch`)}`);
    await page.click('[data-testid="sign-up"]');
    await page.waitForURL((u) => u.origin === site.stack.accounts!.issuer, { timeout: STEP_MS });
    await page.fill('#username', 'Cdn_Carol');
    await page.fill('#password', PASSWORD);
    await page.click('button[type="submit"]');
    await page.waitForURL(`${PAGE}/watch`, { timeout: STEP_MS });
    await page.waitForFunction(() => document.querySelector('a#me')?.textContent === 'Cdn_Carol', null, { timeout: STEP_MS });
    await online(page);
    // The account screen reads /api/account at the gateway with the cookie; the export link points there.
    await page.click('[data-testid="account-link"]');
    await page.waitForSelector('[data-testid="export"]', { timeout: STEP_MS });
    expect(await page.getAttribute('[data-testid="export"]', 'href')).toBe(`${GATEWAY}/api/account/export`);
    // Sign-out: a form POST to the gateway from nginx's origin (accepted: PAGE_ORIGINS), back at nginx's home as a guest.
    await page.click('[data-testid="sign-out"]');
    await page.waitForSelector('[data-testid="sign-in"]', { timeout: STEP_MS });
    expect(new URL(page.url()).origin).toBe(PAGE);
    expect(strayCalls(page)).toEqual([]);
    expect(serverCalls(page)).toContain(`POST ${GATEWAY}/auth/logout`);
  }, 60_000);

  test('the same page from an origin not on the list gets nothing: no CORS header, no socket', async () => {
    // Over HTTP, as the browser asks: no Access-Control-Allow-Origin for it, the preflight refused.
    const post = await fetch(`${GATEWAY}/api/session`, { method: 'POST', headers: { origin: FOREIGN, 'content-type': 'application/json' }, body: '{}' });
    expect(post.headers.get('access-control-allow-origin')).toBeNull();
    const preflight = await fetch(`${GATEWAY}/api/session`, {
      method: 'OPTIONS', headers: { origin: FOREIGN, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' },
    });
    expect(preflight.status).toBe(403);
    expect(preflight.headers.get('access-control-allow-origin')).toBeNull();
    // In Chromium: the page never gets a session, so never opens its socket; one it opens by hand is refused.
    const page = await openPage(FOREIGN);
    await page.waitForFunction(() => /retrying/.test(document.querySelector('#toast')?.textContent ?? ''), null, { timeout: STEP_MS });
    expect(await page.getAttribute('#conn-state', 'data-state')).not.toBe('online');
    expect(traffic.get(page)!.sockets).toEqual([]);
    const tried = await page.evaluate(async (gateway) => {
      const read = await fetch(`${gateway}/api/live`, { credentials: 'include' }).then(() => 'read', (e: unknown) => `refused: ${String(e)}`);
      const socket = await new Promise<string>((resolve) => {
        const ws = new WebSocket(`${gateway.replace('http:', 'ws:')}/ws`);
        ws.onopen = () => resolve('open');
        ws.onclose = (e) => resolve(`closed ${e.code}`);
      });
      return { read, socket };
    }, GATEWAY);
    expect(tried).toEqual({ read: expect.stringMatching(/^refused: TypeError/), socket: 'closed 1006' });
    // The allowed page reads the same answer.
    const allowed = await openPage(PAGE);
    expect(await allowed.evaluate(async (gateway) => (await fetch(`${gateway}/api/live`, { credentials: 'include' })).status, GATEWAY)).toBe(200);
  }, 60_000);

  test('a config file that is there but wrong stops the page, saying why (on screen and in the console)', async () => {
    const page = await site.newPage();
    const logged: string[] = [];
    page.on('console', (m) => { if (m.type() === 'error') logged.push(m.text()); });
    await page.route('**/config.json', (route) => route.fulfill({ status: 200, contentType: 'application/json', body: '{"apiOrigin": "https://api.example.com"}' }));
    await page.goto(`${PAGE}/`);
    await page.waitForSelector('[data-testid="bad-config"]', { timeout: STEP_MS });
    expect(await page.textContent('[data-testid="bad-config"]')).toContain('unknown key "apiOrigin" (known: api, socket)');
    expect(logged).toContain('Gambit: /config.json unknown key "apiOrigin" (known: api, socket)');
    expect(await page.locator('#conn-state').count()).toBe(0); // nothing started: no session asked for, no socket
  });

  test('no page error anywhere', () => {
    expect(site.pageErrors).toEqual([]);
  });
});
