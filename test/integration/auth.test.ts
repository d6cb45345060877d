// Who may connect and act: guest tokens with key rotation, OIDC tokens checked against a JWKS
// served by a local HTTP server (Cognito-style claims), the Origin allowlist, and per-address caps.
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { createServer, type Server } from 'node:http';
import WebSocket from 'ws';
import { SignJWT, exportJWK, generateKeyPair, type CryptoKey } from 'jose';
import { startRedis, type RedisHandle } from '../support/redis.js';
import { freePort } from '../support/ports.js';
import { devSigningKey, publicOf } from '../support/keys.js';
import { TestPlayer, guest } from '../support/player.js';
import { startGateway, type RunningGateway } from '../../services/gateway/src/app.js';
import { gatewayConfigSchema } from '../../services/gateway/src/config.js';

let redis: RedisHandle;
const gateways: RunningGateway[] = [];
const open: TestPlayer[] = [];
beforeAll(async () => { redis = await startRedis(); });
afterAll(async () => {
  open.forEach((p) => p.close());
  await Promise.all(gateways.map((g) => g.close()));
  await redis.stop();
});

async function gateway(env: Record<string, string>): Promise<string> {
  const g = await startGateway(gatewayConfigSchema.parse({ REDIS_URL: redis.url, KEY_PREFIX: 'auth', LOG_LEVEL: 'silent', PORT: '0', HOST: '127.0.0.1', ...env }));
  gateways.push(g);
  return `http://127.0.0.1:${g.port}`;
}

/** Sends hello with `token`; resolves with the welcome, or the close code. */
async function hello(url: string, token: string): Promise<{ welcome?: Record<string, unknown>; close?: number }> {
  const p = await TestPlayer.open(url.replace('http', 'ws') + '/ws');
  open.push(p);
  p.send({ t: 'hello', token });
  return Promise.race([p.next('welcome').then((welcome) => ({ welcome })), p.closed.then((c) => ({ close: c.code }))]);
}

describe('guest tokens', () => {
  test('ES256 keys rotate: a token of the old key is accepted where the old public key is listed, refused elsewhere', async () => {
    const oldKey = devSigningKey();
    const newKey = devSigningKey();
    const before = await gateway({ TOKEN_SIGNING_KEY: oldKey });
    const during = await gateway({ TOKEN_SIGNING_KEY: newKey, TOKEN_VERIFY_KEYS: publicOf(oldKey) });
    const after = await gateway({ TOKEN_SIGNING_KEY: newKey });
    const { token } = await guest(before, 'alice');
    expect((await hello(during, token)).welcome).toMatchObject({ name: 'alice' });
    expect((await hello(after, token)).close).toBe(4401);
    const fresh = await guest(during, 'bob');
    expect((await hello(after, fresh.token)).welcome).toMatchObject({ name: 'bob' });
  });

  test('a guest token with a forged payload is refused', async () => {
    const url = await gateway({ TOKEN_SIGNING_KEY: devSigningKey() });
    const { token } = await guest(url, 'alice');
    const [h, , s] = token.split('.');
    const payload = Buffer.from(JSON.stringify({ sub: 'g_admin', name: 'admin', iss: 'gambit', aud: 'gambit-ws', exp: 9e9 })).toString('base64url');
    expect((await hello(url, `${h}.${payload}.${s}`)).close).toBe(4401);
  });
});

describe('OIDC (Cognito-style) against a local JWKS', () => {
  let jwksServer: Server;
  let issuer: string;
  let keys: { kid: string; privateKey: CryptoKey; publicKey: CryptoKey }[] = [];
  let url: string;

  const newKey = async (kid: string) => ({ kid, ...(await generateKeyPair('RS256')) });
  const sign = (claims: Record<string, unknown>, key = keys[0]!, opts: { iss?: string; aud?: string; exp?: number | string; nbf?: number } = {}) => {
    let jwt = new SignJWT({ token_use: 'id', 'cognito:username': 'carol', ...claims })
      .setProtectedHeader({ alg: 'RS256', kid: key.kid }).setSubject('user-123').setIssuer(opts.iss ?? issuer).setIssuedAt();
    if (opts.aud !== '') jwt = jwt.setAudience(opts.aud ?? 'client-abc');
    jwt = jwt.setExpirationTime(opts.exp ?? '1h');
    if (opts.nbf) jwt = jwt.setNotBefore(opts.nbf);
    return jwt.sign(key.privateKey);
  };

  beforeAll(async () => {
    keys = [await newKey('k1')];
    const port = await freePort();
    issuer = `http://127.0.0.1:${port}/pool`;
    jwksServer = createServer(async (req, res) => {
      if (req.url !== '/pool/.well-known/jwks.json') return void res.writeHead(404).end();
      const jwks = { keys: await Promise.all(keys.map(async (k) => ({ ...(await exportJWK(k.publicKey)), kid: k.kid, alg: 'RS256', use: 'sig' }))) };
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(jwks));
    });
    await new Promise<void>((r) => jwksServer.listen(port, '127.0.0.1', r));
    url = await gateway({ GUEST_TOKENS: 'false', OIDC_ISSUER: issuer, OIDC_AUDIENCE: 'client-abc', OIDC_TOKEN_USE: 'id', OIDC_JWKS_COOLDOWN_MS: '0' });
  });
  afterAll(() => new Promise<void>((r) => jwksServer.close(() => r())));

  test('a valid ID token signs in', async () => {
    expect((await hello(url, await sign({}))).welcome).toMatchObject({ playerId: 'oidc:user-123', name: 'carol' });
  });

  test.each([
    ['wrong issuer', () => sign({}, undefined, { iss: 'https://evil.example.com/pool' })],
    ['wrong audience', () => sign({}, undefined, { aud: 'other-client' })],
    ['expired', () => sign({}, undefined, { exp: Math.floor(Date.now() / 1000) - 60 })],
    ['not yet valid', () => sign({}, undefined, { nbf: Math.floor(Date.now() / 1000) + 3600 })],
    ['an access token where ID tokens are expected', () => sign({ token_use: 'access' })],
    ['alg none', async () => `${Buffer.from('{"alg":"none","kid":"k1"}').toString('base64url')}.${Buffer.from(JSON.stringify({ sub: 'x', iss: issuer, aud: 'client-abc', token_use: 'id', exp: 9e9 })).toString('base64url')}.`],
    ['signed by an unknown key with a known kid', async () => sign({}, { ...(await newKey('k1')) })],
    ['garbage', async () => 'not.a.jwt'],
  ])('%s: closed with 4401', async (_name, make) => {
    expect((await hello(url, await make())).close).toBe(4401);
  });

  test('guest sign-in is off in OIDC-only mode', async () => {
    expect((await fetch(`${url}/api/guest`, { method: 'POST', body: '{}' })).status).toBe(404);
  });

  test('a rotated key is fetched and accepted', async () => {
    keys = [await newKey('k2'), ...keys];
    expect((await hello(url, await sign({}, keys[0]))).welcome).toMatchObject({ playerId: 'oidc:user-123' });
  });
});

describe('upgrade checks', () => {
  test('Origin allowlist: a foreign origin is refused with 403, the allowed one and none are let in', async () => {
    const url = await gateway({ TOKEN_SIGNING_KEY: devSigningKey(), ALLOWED_ORIGINS: 'https://chess.example.com' });
    const status = (origin?: string) => new Promise<number>((resolve) => {
      const ws = new WebSocket(url.replace('http', 'ws') + '/ws', origin ? { origin } : {});
      ws.on('open', () => { ws.close(); resolve(101); });
      ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      ws.on('error', () => undefined);
    });
    expect(await status('https://evil.example.com')).toBe(403);
    expect(await status('https://chess.example.com')).toBe(101);
    expect(await status()).toBe(101);
  });

  test('one address may hold MAX_CONNECTIONS_PER_IP sockets; the next gets 429', async () => {
    const url = await gateway({ TOKEN_SIGNING_KEY: devSigningKey(), MAX_CONNECTIONS_PER_IP: '3' });
    const held = await Promise.all([1, 2, 3].map(() => TestPlayer.open(url.replace('http', 'ws') + '/ws')));
    open.push(...held);
    const refused = await new Promise<number>((resolve) => {
      const ws = new WebSocket(url.replace('http', 'ws') + '/ws');
      ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      ws.on('open', () => resolve(101));
      ws.on('error', () => undefined);
    });
    expect(refused).toBe(429);
    held[0]!.close();
    await held[0]!.closed;
    const again = await TestPlayer.open(url.replace('http', 'ws') + '/ws');
    open.push(again);
  });

  test('behind CloudFront (TRUST_CLOUDFRONT_VIEWER_ADDRESS) each viewer address has its own budget; without it the header counts for nothing', async () => {
    const held: WebSocket[] = [];
    const status = (url: string, viewer: string) => new Promise<number>((resolve) => {
      const ws = new WebSocket(url.replace('http', 'ws') + '/ws', { headers: { 'cloudfront-viewer-address': viewer } });
      held.push(ws);
      ws.on('open', () => resolve(101));
      ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      ws.on('error', () => undefined);
    });
    const trusting = await gateway({ TOKEN_SIGNING_KEY: devSigningKey(), MAX_CONNECTIONS_PER_IP: '1', TRUST_CLOUDFRONT_VIEWER_ADDRESS: 'true' });
    expect(await status(trusting, '198.51.100.10:40001')).toBe(101);
    expect(await status(trusting, '2001:db8::7:40002')).toBe(101); // another viewer behind the same edge
    expect(await status(trusting, '198.51.100.10:40003')).toBe(429); // the first viewer again, another port
    const plain = await gateway({ TOKEN_SIGNING_KEY: devSigningKey(), MAX_CONNECTIONS_PER_IP: '1' });
    expect(await status(plain, '198.51.100.10:40001')).toBe(101);
    expect(await status(plain, '198.51.100.11:40001')).toBe(429); // one connection address: one budget
    held.forEach((ws) => ws.terminate());
  });

  test('scanning for room codes is rate limited per address', async () => {
    const url = await gateway({ TOKEN_SIGNING_KEY: devSigningKey(), JOIN_RATE_PER_MIN: '5' });
    const p = await TestPlayer.connect(url, 'scanner');
    open.push(p);
    // (No engine runs here: the five allowed joins are forwarded and stay unanswered.)
    for (let i = 0; i < 5; i++) p.send({ t: 'join', room: `AAAAAA${'ABCDEFGH'[i]}2`, id: `j${i}` });
    expect(await p.ask({ t: 'join', room: 'AAAAAAJ2' })).toMatchObject({ t: 'error', code: 'rate_limited' });
    expect(p.inbox.filter((m) => m.t === 'error')).toHaveLength(1);
  });
});

describe('a page on another origin (CORS)', () => {
  test('the API answers an allowed page origin with its origin and credentials, any other with no CORS header; preflights likewise', async () => {
    const page = 'https://chess.example.com';
    const url = await gateway({ TOKEN_SIGNING_KEY: devSigningKey(), ALLOWED_ORIGINS: `${page},https://www.chess.example.com` });
    const post = (origin: string) => fetch(`${url}/api/guest`, { method: 'POST', headers: { origin, 'content-type': 'application/json' }, body: '{"name":"ann"}' });
    const allowed = await post(page);
    expect(allowed.status).toBe(200);
    expect(allowed.headers.get('access-control-allow-origin')).toBe(page);
    expect(allowed.headers.get('access-control-allow-credentials')).toBe('true');
    expect(allowed.headers.get('vary')).toContain('Origin');
    const foreign = await post('https://evil.example');
    expect(foreign.headers.get('access-control-allow-origin')).toBeNull();
    const preflight = (origin: string) => fetch(`${url}/api/session`, { method: 'OPTIONS', headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' } });
    const ok = await preflight(page);
    expect(ok.status).toBe(204);
    expect(ok.headers.get('access-control-allow-methods')).toContain('POST');
    const refused = await preflight('https://evil.example');
    expect(refused.status).toBe(403);
    expect(refused.headers.get('access-control-allow-origin')).toBeNull();
    // Not the other paths: the page's files, health, metrics.
    expect((await fetch(`${url}/healthz`, { headers: { origin: page } })).headers.get('access-control-allow-origin')).toBeNull();
  });

  test('without ALLOWED_ORIGINS no origin gets CORS headers (the page must be on the gateway\'s own origin)', async () => {
    const url = await gateway({ TOKEN_SIGNING_KEY: devSigningKey() });
    const res = await fetch(`${url}/api/guest`, { method: 'POST', headers: { origin: 'https://chess.example.com' }, body: '{}' });
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
  });
});
