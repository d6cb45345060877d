// The embedded OpenID Provider against a real redis-server, with openid-client 6 as the relying
// party (as the accounts service uses it) and fetch plus a small cookie jar as the browser: sign-up
// and sign-in through its HTML forms, code + PKCE, sign-in limits, RP-initiated logout, bad config.
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as oidc from 'openid-client';
import { startRedis, waitFor, type RedisHandle } from '../support/redis.js';
import { freePort } from '../support/ports.js';
import { devSigningKey } from '../support/keys.js';
import { startIdProvider, type RunningIdProvider } from '../../services/id-provider/src/app.js';
import { idProviderConfigSchema } from '../../services/id-provider/src/config.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const CLIENT_ID = 'gambit';
const CLIENT_SECRET = 'test-client-secret-of-at-least-32-chars';
const CALLBACK = 'http://127.0.0.1:9/auth/callback';
const AFTER_LOGOUT = 'http://127.0.0.1:9/';
const WRONG = 'Wrong username or password.';

let redis: RedisHandle;
const running: RunningIdProvider[] = [];
beforeAll(async () => { redis = await startRedis(); });
afterAll(async () => {
  await Promise.all(running.map((p) => p.close()));
  await redis.stop();
});

interface Idp { issuer: string; rp: oidc.Configuration }

/** A provider in this process on its own key prefix, and the RP's view of it (discovery done). */
async function idp(env: Record<string, string> = {}): Promise<Idp> {
  const port = await freePort();
  const issuer = `http://127.0.0.1:${port}`;
  running.push(await startIdProvider(idProviderConfigSchema.parse({
    REDIS_URL: redis.url, KEY_PREFIX: `idp${running.length}`, LOG_LEVEL: 'silent', PORT: String(port), HOST: '127.0.0.1', ISSUER: issuer,
    CLIENT_SECRET, REDIRECT_URIS: CALLBACK, POST_LOGOUT_REDIRECT_URIS: AFTER_LOGOUT, COOKIE_KEYS: 'a-cookie-signing-key-of-32-characters-or-more',
    SIGNING_KEY: devSigningKey(), ...env,
  })));
  const rp = await oidc.discovery(new URL(issuer), CLIENT_ID, undefined, oidc.ClientSecretBasic(CLIENT_SECRET), { execute: [oidc.allowInsecureRequests] });
  return { issuer, rp };
}

/** A browser: cookies by name and path, redirects followed by hand until the RP's URLs. */
class Browser {
  private cookies = new Map<string, { value: string; path: string }>();
  constructor(private readonly headers: Record<string, string> = {}) {}

  async request(url: string, init: { method?: string; form?: Record<string, string> } = {}): Promise<Response> {
    const u = new URL(url);
    const cookie = [...this.cookies].filter(([, c]) => u.pathname.startsWith(c.path)).map(([k, c]) => `${k.split(' ')[0]}=${c.value}`).join('; ');
    const res = await fetch(url, {
      method: init.method ?? 'GET', redirect: 'manual',
      headers: { ...this.headers, ...(cookie ? { cookie } : {}), ...(init.form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}) },
      ...(init.form ? { body: new URLSearchParams(init.form).toString() } : {}),
    });
    for (const line of res.headers.getSetCookie()) {
      const [pair, ...attrs] = line.split(';');
      const [name, value] = [pair!.slice(0, pair!.indexOf('=')), pair!.slice(pair!.indexOf('=') + 1)];
      const path = attrs.map((a) => a.trim()).find((a) => a.toLowerCase().startsWith('path='))?.slice(5) ?? '/';
      const gone = value === '' || attrs.some((a) => /expires=thu, 01 jan 1970/i.test(a.trim()));
      if (gone) this.cookies.delete(`${name} ${path}`);
      else this.cookies.set(`${name} ${path}`, { value, path });
    }
    return res;
  }

  /** Follows redirects; stops at a page (200) or at the RP (its callback or post-logout URL). */
  async follow(url: string, init: { method?: string; form?: Record<string, string> } = {}): Promise<{ url: string; res: Response; html: string }> {
    let res = await this.request(url, init);
    for (let hops = 0; res.status >= 300 && res.status < 400; hops++) {
      if (hops > 10) throw new Error('too many redirects');
      url = new URL(res.headers.get('location')!, url).href;
      if (url.startsWith('http://127.0.0.1:9/')) return { url, res, html: '' };
      res = await this.request(url);
    }
    return { url, res, html: await res.text() };
  }

  /** Submits the page's (first) form with `fields` added to its hidden inputs. */
  submit(page: { url: string; html: string }, fields: Record<string, string>) {
    const action = /<form[^>]*action="([^"]+)"/.exec(page.html)?.[1];
    if (!action) throw new Error(`no form on the page: ${page.html.slice(0, 300)}`);
    const hidden = Object.fromEntries([...page.html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)"/g)].map((m) => [m[1]!, m[2]!]));
    return this.follow(new URL(action.replace(/&amp;/g, '&'), page.url).href, { method: 'POST', form: { ...hidden, ...fields } });
  }
}

/** The RP's side of one sign-in: the authorization URL and what checks the callback. */
async function authRequest(p: Idp, extra: Record<string, string> = {}) {
  const verifier = oidc.randomPKCECodeVerifier();
  const state = oidc.randomState();
  const url = oidc.buildAuthorizationUrl(p.rp, {
    redirect_uri: CALLBACK, scope: 'openid profile email', state,
    code_challenge: await oidc.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256', ...extra,
  });
  return { url: url.href, verifier, finish: (callback: string) => oidc.authorizationCodeGrant(p.rp, new URL(callback), { pkceCodeVerifier: verifier, expectedState: state }) };
}

async function signUp(p: Idp, browser: Browser, username: string, password: string, email = '') {
  const auth = await authRequest(p, { prompt: 'create' });
  const page = await browser.follow(auth.url);
  expect(page.html).toContain('Finished games are public, as on lichess.');
  const done = await browser.submit(page, { username, password, email });
  expect(done.url).toContain(CALLBACK);
  return auth.finish(done.url);
}

async function signIn(p: Idp, browser: Browser, username: string, password: string) {
  const auth = await authRequest(p);
  const page = await browser.follow(auth.url);
  expect(page.html).toContain('Sign in to Gambit');
  const done = await browser.submit(page, { username, password });
  return { ...done, finish: () => auth.finish(done.url) };
}

describe('id-provider', () => {
  let main: Idp;
  beforeAll(async () => { main = await idp(); });

  test('discovery: code flow only, S256 only, end session, the signing algorithm', async () => {
    const meta = main.rp.serverMetadata();
    expect(meta.issuer).toBe(main.issuer);
    expect(meta.response_types_supported).toEqual(['code']);
    expect(meta.code_challenge_methods_supported).toEqual(['S256']);
    expect(meta.end_session_endpoint).toBe(`${main.issuer}/session/end`);
    expect(meta.id_token_signing_alg_values_supported).toEqual(['ES256']);
    expect(await (await fetch(`${main.issuer}/readyz`)).text()).toBe('ready');
    expect(await (await fetch(`${main.issuer}/`)).text()).toContain('sign-in service');
  });

  test('sign-up then code + PKCE: ID token claims, the same stable sub on a later sign-in', async () => {
    const first = await signUp(main, new Browser(), 'Alice_1', 'correct horse', 'alice@example.com');
    const claims = first.claims()!;
    expect(claims).toMatchObject({ iss: main.issuer, aud: CLIENT_ID, preferred_username: 'Alice_1', email: 'alice@example.com', email_verified: false });
    expect(claims.sub).toMatch(/^[0-9a-f-]{36}$/);
    const info = await oidc.fetchUserInfo(main.rp, first.access_token, claims.sub);
    expect(info).toMatchObject({ sub: claims.sub, preferred_username: 'Alice_1', email: 'alice@example.com' });

    // Another browser, the name typed in another case: the same account, the name as it was chosen.
    const again = await signIn(main, new Browser(), 'alice_1', 'correct horse');
    expect((await again.finish()).claims()).toMatchObject({ sub: claims.sub, preferred_username: 'Alice_1' });
    // Without an email, no email claims.
    expect((await signUp(main, new Browser(), 'NoMail', 'password one')).claims()).not.toHaveProperty('email');
  });

  test('signing up while signed in as someone else leaves this browser signed in as the new account', async () => {
    const browser = new Browser();
    const first = (await signUp(main, browser, 'First1', 'first password')).claims()!;
    const auth = await authRequest(main, { prompt: 'create' });
    let step = await browser.submit(await browser.follow(auth.url), { username: 'Second2', password: 'second password' });
    // oidc-provider ends the old account's session first, with a form that submits itself.
    expect(step.html).toContain('document.forms[0].submit()');
    step = await browser.submit(step, {});
    const second = (await auth.finish(step.url)).claims()!;
    expect(second).toMatchObject({ preferred_username: 'Second2' });
    expect(second.sub).not.toBe(first.sub);
    const plain = await authRequest(main);
    expect((await plain.finish((await browser.follow(plain.url)).url)).claims()).toMatchObject({ sub: second.sub });
  });

  test('the sign-in page links to sign-up, which bad input and a taken name (any case) send back with a message', async () => {
    await signUp(main, new Browser(), 'Bobby', 'bobby password');
    const browser = new Browser();
    const signInPage = await browser.follow((await authRequest(main)).url);
    const href = /href="([^"]+)">Create an account/.exec(signInPage.html)![1]!;
    const page = await browser.follow(new URL(href, signInPage.url).href);
    expect(page.html).toContain('Create a Gambit account');
    const short = await browser.submit(page, { username: 'Carl', password: 'short' });
    expect(short.res.status).toBe(400);
    expect(short.html).toContain('at least 8 characters');
    expect((await browser.submit(page, { username: 'carlcarl', password: 'CarlCarl' })).html).toContain('must not be the username');
    const badName = await browser.submit(page, { username: '<b>x</b>', password: 'long enough' });
    expect(badName.html).toContain('&lt;b&gt;x&lt;/b&gt;');
    expect(badName.html).not.toContain('<b>x</b>');
    const taken = await browser.submit(page, { username: 'BOBBY', password: 'another password' });
    expect(taken.res.status).toBe(409);
    expect(taken.html).toContain('That username is taken');
  });

  test('two racing sign-ups of one name: exactly one wins', async () => {
    const [a, b] = [new Browser(), new Browser()];
    const pages = await Promise.all([a, b].map(async (br) => br.follow((await authRequest(main, { prompt: 'create' })).url)));
    const results = await Promise.all([a.submit(pages[0]!, { username: 'Racer', password: 'first password' }), b.submit(pages[1]!, { username: 'RACER', password: 'second password' })]);
    expect(results.filter((r) => r.url.startsWith(CALLBACK))).toHaveLength(1);
    expect(results.filter((r) => r.res.status === 409 && r.html.includes('That username is taken'))).toHaveLength(1);
  });

  test('a form without its token, or another interaction\'s, is refused', async () => {
    const [a, b] = [new Browser(), new Browser()];
    const pageA = await a.follow((await authRequest(main)).url);
    const pageB = await b.follow((await authRequest(main)).url);
    const csrfB = /name="csrf" value="([^"]+)"/.exec(pageB.html)![1]!;
    expect((await a.submit(pageA, { csrf: '', username: 'Alice_1', password: 'correct horse' })).res.status).toBe(403);
    expect((await a.submit(pageA, { csrf: csrfB, username: 'Alice_1', password: 'correct horse' })).res.status).toBe(403);
    // B's form posted with A's cookies: the interaction is A's, not the one in the path.
    expect((await a.submit(pageB, { username: 'Alice_1', password: 'correct horse' })).res.status).toBe(400);
  });

  test('a code is redeemed once, even by racing requests; without its code_verifier, or without a code_challenge, there is none', async () => {
    await signUp(main, new Browser(), 'Coder', 'coder password');
    const browser = new Browser();
    const first = await signIn(main, browser, 'Coder', 'coder password');
    await first.finish();
    await expect(first.finish()).rejects.toMatchObject({ error: 'invalid_grant' });

    // The token request by hand, without code_verifier.
    const second = await authRequest(main);
    const callback = new URL((await browser.follow(second.url)).url);
    const token = (body: Record<string, string>) => fetch(`${main.issuer}/token`, {
      method: 'POST',
      headers: { authorization: `Basic ${Buffer.from(`${CLIENT_ID}:${CLIENT_SECRET}`).toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(body).toString(),
    });
    const code = callback.searchParams.get('code')!;
    const refused = await token({ grant_type: 'authorization_code', code, redirect_uri: CALLBACK });
    expect(refused.status).toBe(400);
    expect(await refused.json()).toMatchObject({ error: 'invalid_grant' });

    // Two redemptions racing with one (fresh) code and the right verifier: one token, one refusal.
    const third = await authRequest(main);
    const raced = new URL((await browser.follow(third.url)).url).searchParams.get('code')!;
    const answers = await Promise.all([1, 2].map(() => token({ grant_type: 'authorization_code', code: raced, redirect_uri: CALLBACK, code_verifier: third.verifier })));
    expect(answers.map((r) => r.status).sort()).toEqual([200, 400]);

    // No code_challenge at all: the provider answers the RP with an error, not a code.
    const noPkce = new URL(main.issuer + '/auth');
    noPkce.search = new URLSearchParams({ client_id: CLIENT_ID, response_type: 'code', scope: 'openid', redirect_uri: CALLBACK, state: 's' }).toString();
    const res = new URL((await browser.follow(noPkce.href)).url);
    expect(res.searchParams.get('error')).toBe('invalid_request');
    expect(res.searchParams.get('code')).toBeNull();
  });

  test('RP-initiated logout: back to the post-logout URI without a question, and signed out', async () => {
    const browser = new Browser();
    const tokens = await signUp(main, browser, 'Leaver', 'leaver password');
    // Still signed in: a new request comes straight back with a code.
    expect((await browser.follow((await authRequest(main)).url)).url).toContain(CALLBACK);

    const end = oidc.buildEndSessionUrl(main.rp, { id_token_hint: tokens.id_token!, post_logout_redirect_uri: AFTER_LOGOUT, state: 'bye' });
    const page = await browser.follow(end.href);
    expect(page.html).toMatch(/<script nonce="[^"]+">document.getElementById\("op.logoutForm"\).submit\(\)<\/script>/);
    expect(page.res.headers.get('content-security-policy')).toContain("script-src 'nonce-");
    const after = await browser.submit(page, {});
    expect(after.url).toBe(`${AFTER_LOGOUT}?state=bye`);

    const again = await browser.follow((await authRequest(main)).url);
    expect(again.html).toContain('Sign in to Gambit');
  });

  test('end-session without an id_token_hint asks before signing out', async () => {
    const browser = new Browser();
    await signUp(main, browser, 'Asked', 'asked password');
    const page = await browser.follow(oidc.buildEndSessionUrl(main.rp, { client_id: CLIENT_ID }).href);
    expect(page.html).toContain('Do you want to sign out?');
    expect(page.html).not.toContain('<script');
  });
});

describe('sign-in limits', () => {
  test('wrong password: one message; past the per-account limit even the right one waits for the window', async () => {
    const p = await idp({ LOGIN_FAILURES_PER_ACCOUNT: '3', LOGIN_WINDOW_SECONDS: '2' });
    await signUp(p, new Browser(), 'Carol', 'carol password');
    const browser = new Browser();
    const unknown = await signIn(p, browser, 'Nobody', 'whatever pw');
    expect(unknown.res.status).toBe(400);
    expect(unknown.html).toContain(WRONG);
    for (let i = 0; i < 3; i++) {
      const wrong = await signIn(p, browser, 'Carol', `wrong ${i}`);
      expect(wrong.html).toContain(WRONG);
      expect(wrong.html).not.toContain('Too many');
    }
    const blocked = await signIn(p, browser, 'carol', 'carol password');
    expect(blocked.res.status).toBe(429);
    expect(blocked.html).toMatch(/Too many failed sign-ins\. Try again in \d seconds?\./);

    // Attempts while blocked do not count; once the window has passed the right password works.
    let done: Awaited<ReturnType<typeof signIn>> | undefined;
    await waitFor(async () => {
      const attempt = await signIn(p, browser, 'Carol', 'carol password');
      if (attempt.res.status === 429) return false;
      done = attempt;
      return true;
    }, 10_000, 'still blocked long after the window');
    expect(done!.url).toContain(CALLBACK);
    // A good sign-in forgives the account's failures: wrong ones start counting from zero.
    await signIn(p, new Browser(), 'Carol', 'wrong again');
    expect((await signIn(p, new Browser(), 'Carol', 'carol password')).url).toContain(CALLBACK);
  });

  test('per address: many names failing from one address block it, not others (X-Forwarded-For trusted)', async () => {
    const p = await idp({ LOGIN_FAILURES_PER_ADDRESS: '4', LOGIN_WINDOW_SECONDS: '60', TRUST_PROXY: 'true' });
    await signUp(p, new Browser(), 'Dana', 'dana password');
    const attacker = new Browser({ 'x-forwarded-for': '203.0.113.7' });
    for (const name of ['Dana', 'Erin', 'Finn', 'Gus']) expect((await signIn(p, attacker, name, 'guessed pw')).html).toContain(WRONG);
    const blocked = await signIn(p, attacker, 'Dana', 'dana password');
    expect(blocked.res.status).toBe(429);
    expect(blocked.html).toMatch(/Try again in \d+ seconds\./);
    // Dana's own account had one failure only; from her address she signs in.
    const dana = await signIn(p, new Browser({ 'x-forwarded-for': '198.51.100.2' }), 'Dana', 'dana password');
    expect(dana.url).toContain(CALLBACK);
  });
});

describe('id-provider process', () => {
  const entry = `${root}services/id-provider/dist/main.js`;
  const env = (extra: Record<string, string>) => ({
    PATH: process.env.PATH ?? '', ISSUER: 'http://127.0.0.1:8090', CLIENT_SECRET, REDIRECT_URIS: CALLBACK, REDIS_URL: redis.url, KEY_PREFIX: 'idpproc',
    COOKIE_KEYS: 'a-cookie-signing-key-of-32-characters-or-more', SIGNING_KEY: devSigningKey().replace(/\n/g, '\\n'), ...extra,
  });
  const run = (extra: Record<string, string>) => {
    if (!existsSync(entry)) throw new Error('services/id-provider/dist/main.js is missing: run `npm run build` first');
    const child = spawn(process.execPath, [entry], { env: env(extra), stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout!.on('data', (d: Buffer) => { output += d.toString(); });
    child.stderr!.on('data', (d: Buffer) => { output += d.toString(); });
    // 'close', not 'exit': by then everything it printed has been read.
    const exited = new Promise<number | null>((resolve) => child.once('close', resolve));
    return { child, exited, output: () => output };
  };

  test('started from its build it serves, and SIGTERM stops it with exit code 0', async () => {
    const port = await freePort();
    const proc = run({ PORT: String(port), HOST: '127.0.0.1', ISSUER: `http://127.0.0.1:${port}`, LOG_LEVEL: 'warn' });
    await waitFor(async () => {
      if (proc.child.exitCode !== null) throw new Error(`id-provider exited: ${proc.output()}`);
      return fetch(`http://127.0.0.1:${port}/readyz`).then((r) => r.ok, () => false);
    }, 15_000, 'id-provider did not become ready');
    proc.child.kill('SIGTERM');
    expect(await proc.exited).toBe(0);
  });

  test('a bad setting stops it at start with exit code 1, naming the setting but not its value', async () => {
    const secret = 'too-short-secret';
    const proc = run({ CLIENT_SECRET: secret });
    expect(await proc.exited).toBe(1);
    expect(proc.output()).toMatch(/^id-provider: bad configuration/);
    expect(proc.output()).toContain('CLIENT_SECRET');
    expect(proc.output()).toContain('at least 32 characters');
    expect(proc.output()).not.toContain(secret);
  });
});
