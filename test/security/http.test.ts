// HTTP endpoints under malformed, huge and misdirected requests: always a clear 4xx, never a 500.
import { afterAll, beforeAll, expect, test } from '@jest/globals';
import { request } from 'node:http';
import { startStack, type Stack } from '../support/stack.js';

let stack: Stack;
beforeAll(async () => { stack = await startStack(); });
afterAll(async () => { await stack?.stop(); });

/** A raw request, so bodies and headers can be as broken as an attacker likes. */
function raw(method: string, path: string, body?: string | Buffer, headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
  const url = new URL(stack.httpUrl);
  return new Promise((resolve, reject) => {
    const req = request({ host: url.hostname, port: url.port, method, path, headers }, (res) => {
      let text = '';
      res.on('data', (d) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.on('error', reject);
    if (body !== undefined) req.write(body);
    req.end();
  });
}

test.each([
  ['POST', '/api/guest', '{"name":', 400],
  ['POST', '/api/guest', '[]', 400],
  ['POST', '/api/guest', '{"name":{"$ne":""}}', 400],
  ['POST', '/api/guest', '{"__proto__":{"admin":true}}', 400],
  ['POST', '/api/guest', 'x'.repeat(100_000), 413],
  ['PUT', '/api/guest', '{}', 405],
  ['DELETE', '/api/games/abc', undefined, 405],
  ['GET', '/api/games/' + 'a'.repeat(500), undefined, 400],
  ['GET', '/api/games/%00', undefined, 400],
  ['GET', '/api/players/..%2F..%2Fmetrics/games', undefined, 400],
  ['GET', '/api/players/abc/games?limit=-1', undefined, 400],
  ['GET', '/%2e%2e/%2e%2e/etc/passwd', undefined, 404],
  ['GET', '/nope', undefined, 404],
  ['POST', '/ws', 'hello', 404],
])('%s %s (body of %#) -> %d', async (method, path, body, status) => {
  const res = await raw(method, path, body as string | undefined, { 'content-type': 'application/json' });
  expect(res.status).toBe(status);
  if (res.body && res.status !== 404) expect(() => JSON.parse(res.body)).not.toThrow();
});

test('the gateway still serves after all that', async () => {
  expect((await raw('POST', '/api/guest', '{"name":"alice"}')).status).toBe(200);
});
