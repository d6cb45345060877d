// The gateway's HTTP side and its SIGTERM drain, against a real stack.
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { Redis } from 'ioredis';
import { startStack, type Stack } from '../support/stack.js';
import { TestPlayer, startGame } from '../support/player.js';
import { startGateway } from '../../services/gateway/src/app.js';
import { gatewayConfigSchema, loadGatewayConfig } from '../../services/gateway/src/config.js';

let stack: Stack;
beforeAll(async () => { stack = await startStack(); });
afterAll(async () => { await stack?.stop(); });

describe('HTTP', () => {
  test('POST /api/guest issues a token for a valid name and refuses bad ones', async () => {
    const ok = await fetch(`${stack.httpUrl}/api/guest`, { method: 'POST', body: JSON.stringify({ name: 'alice' }) });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toMatchObject({ name: 'alice', playerId: expect.stringMatching(/^g_/), token: expect.any(String) });
    for (const body of ['{"name":""}', '{"name":"' + 'x'.repeat(25) + '"}', '{"name":5}', 'nope', '{"name":"a","admin":true}']) {
      const res = await fetch(`${stack.httpUrl}/api/guest`, { method: 'POST', body });
      expect(res.status).toBe(400);
    }
    expect((await fetch(`${stack.httpUrl}/api/guest`)).status).toBe(405);
  });

  test('health, readiness, metrics and the client', async () => {
    expect((await fetch(`${stack.httpUrl}/healthz`)).status).toBe(200);
    expect((await fetch(`${stack.httpUrl}/readyz`)).status).toBe(200);
    const metrics = await (await fetch(`${stack.httpUrl}/metrics`)).text();
    expect(metrics).toContain('gambit_gateway_connections');
    const index = await fetch(`${stack.httpUrl}/`);
    expect(index.status).toBe(200);
    expect(index.headers.get('content-type')).toContain('text/html');
    expect((await fetch(`${stack.httpUrl}/..%2f..%2fpackage.json`)).status).toBe(404);
    // Where the page finds its server (web/src/server-origin.ts): its own origin, checked on every load.
    const config = await fetch(`${stack.httpUrl}/config.json`);
    expect(config.headers.get('cache-control')).toBe('no-cache');
    expect(await config.json()).toEqual({});
  });

  test('unknown games are 404 through the proxy to the finalizer', async () => {
    expect((await fetch(`${stack.httpUrl}/api/games/00000000-0000-4000-8000-000000000000`)).status).toBe(404);
    // No walking from the read API to the finalizer's other routes.
    expect((await fetch(`${stack.httpUrl}/api/games/..%2f..%2fmetrics`)).status).toBe(400);
  });
});

describe('configuration', () => {
  test('a bad setting stops the start with a message naming it', () => {
    expect(() => loadGatewayConfig({ TOKEN_SECRET: 'short', PORT: 'eighty' })).toThrow(/PORT="eighty"[\s\S]*TOKEN_SECRET=\(5 characters, hidden\)|TOKEN_SECRET=\(5 characters, hidden\)[\s\S]*PORT="eighty"/);
    expect(() => loadGatewayConfig({ TOKEN_SIGNING_KEY: 'not a pem' })).toThrow(/TOKEN_SIGNING_KEY=\(9 characters, hidden\): must be a PEM block/);
    expect(() => loadGatewayConfig({})).toThrow(/TOKEN_SIGNING_KEY="": guest tokens need TOKEN_SIGNING_KEY/);
    expect(() => loadGatewayConfig({ GUEST_TOKENS: 'false', OIDC_ISSUER: 'https://id.example.com' })).toThrow(/OIDC_AUDIENCE="": OIDC needs both/);
    // An origin with a trailing slash or a path would never match what browsers send.
    expect(() => loadGatewayConfig({ TOKEN_SECRET: 'x'.repeat(40), REDIS_MODE: 'cluster', REDIS_URL: 'redis://a:7000,redis://b:7000', REDIS_EVENTS_URL: 'redis://replica:6379' }))
      .toThrow(/REDIS_EVENTS_URL="redis:\/\/replica:6379": is for a single Redis with a replica; with REDIS_MODE=cluster use REDIS_EVENTS_FROM_REPLICAS=true/);
    expect(() => loadGatewayConfig({ TOKEN_SECRET: 'x'.repeat(40), REDIS_EVENTS_FROM_REPLICAS: 'true' })).toThrow(/REDIS_EVENTS_FROM_REPLICAS="true": is for a Redis Cluster/);
    expect(() => loadGatewayConfig({ TOKEN_SECRET: 'x'.repeat(40), REDIS_MODE: 'sharded' })).toThrow(/REDIS_MODE="sharded"/);
    expect(() => loadGatewayConfig({ TOKEN_SECRET: 'x'.repeat(40), ALLOWED_ORIGINS: 'https://chess.example.com/' })).toThrow(/ALLOWED_ORIGINS=.*https:\/\/chess.example.com\/ is not an origin/);
    expect(loadGatewayConfig({ TOKEN_SECRET: 'x'.repeat(40), ALLOWED_ORIGINS: 'https://chess.example.com, http://127.0.0.1:8081' }).ALLOWED_ORIGINS)
      .toEqual(['https://chess.example.com', 'http://127.0.0.1:8081']);
  });
});

describe('drain (SIGTERM)', () => {
  test('not ready, sockets closed with 1012, the player resumes on another gateway and the game goes on', async () => {
    const second = await startGateway(gatewayConfigSchema.parse({
      REDIS_URL: stack.redisUrl, KEY_PREFIX: stack.keyPrefix, LOG_LEVEL: 'silent', PORT: '0', HOST: '127.0.0.1',
      TOKEN_SECRET: 'x'.repeat(40), DRAIN_MS: '300',
    }));
    const secondUrl = `http://127.0.0.1:${second.port}`;
    const third = await startGateway(gatewayConfigSchema.parse({
      REDIS_URL: stack.redisUrl, KEY_PREFIX: stack.keyPrefix, LOG_LEVEL: 'silent', PORT: '0', HOST: '127.0.0.1',
      TOKEN_SECRET: 'x'.repeat(40),
    }));
    const thirdUrl = `http://127.0.0.1:${third.port}`;
    const w = await TestPlayer.connect(secondUrl, 'alice');
    const b = await TestPlayer.connect(thirdUrl, 'bob');
    const room = await startGame(w, b);

    const draining = second.drain();
    expect((await w.closed).code).toBe(1012);
    expect((await fetch(`${secondUrl}/readyz`).then((r) => r.status, () => 503))).toBe(503);
    await draining;
    // The drained gateway left the registry and took its event stream with it.
    const redis = new Redis(stack.redisUrl);
    expect(await redis.zscore(`${stack.keyPrefix}:gateways`, second.id)).toBeNull();
    redis.disconnect();

    const w2 = await TestPlayer.connect(thirdUrl, 'alice', { token: w.token, resume: { room, seq: 1 } });
    w2.send({ t: 'move', room, uci: 'e2e4', ply: 0 });
    expect(await b.next('moved')).toMatchObject({ san: 'e4' });
    w2.close();
    b.close();
    await third.close();
  });
});

describe('secrets stay out of messages', () => {
  test('an unreachable Redis is named without its password', async () => {
    const { redactUrl } = await import('@gambit/common');
    expect(redactUrl('rediss://:s3cret@cache.example.com:6379')).toBe('rediss://:***@cache.example.com:6379');
    expect(redactUrl('redis://app:s3cret@cache:6379/0')).not.toContain('s3cret');
  });
});
