// CORS for a page on another origin, over a real HTTP server: headers only for the allowed origins,
// preflights answered, Vary: Origin on every answer of the API (also when it passes a service's own Vary).
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { addVary, cors, isCorsPath } from './cors.js';
import { clientAddress, viewerAddress } from './client-address.js';

const PAGE = 'https://chess.example.com';

describe('cors', () => {
  let server: Server;
  let base = '';
  beforeAll(async () => {
    server = createServer((req, res) => {
      const allowed = req.url?.startsWith('/api/none') ? [] : [PAGE, 'http://127.0.0.1:8081'];
      if (cors(allowed, req, res)) return;
      addVary(res, 'Accept-Encoding'); // as proxy.ts passes a service's own Vary
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const get = (path: string, origin?: string, init: RequestInit = {}) =>
    fetch(`${base}${path}`, { ...init, headers: { ...(origin ? { origin } : {}), ...(init.headers as Record<string, string> | undefined) } });

  test('an allowed origin gets its own origin back, with credentials', async () => {
    const res = await get('/api/session', PAGE, { method: 'POST', body: '{}' });
    expect(res.headers.get('access-control-allow-origin')).toBe(PAGE);
    expect(res.headers.get('access-control-allow-credentials')).toBe('true');
  });

  test('another origin, or any origin where none is allowed, gets no CORS header; every answer varies by Origin', async () => {
    for (const res of [await get('/api/session', 'https://evil.example'), await get('/api/none', PAGE), await get('/api/session')]) {
      expect(res.status).toBe(200);
      expect(res.headers.get('access-control-allow-origin')).toBeNull();
      expect(res.headers.get('access-control-allow-credentials')).toBeNull();
      expect(res.headers.get('vary')).toBe('Origin, Accept-Encoding');
    }
  });

  test('a preflight from an allowed origin: 204 with the methods and headers the page uses; from another: 403, no CORS header', async () => {
    const preflight = (origin: string, path = '/api/account') => get(path, origin, {
      method: 'OPTIONS', headers: { 'access-control-request-method': 'PATCH', 'access-control-request-headers': 'content-type' },
    });
    const ok = await preflight(PAGE);
    expect(ok.status).toBe(204);
    expect(ok.headers.get('access-control-allow-origin')).toBe(PAGE);
    expect(ok.headers.get('access-control-allow-credentials')).toBe('true');
    expect(ok.headers.get('access-control-allow-methods')).toBe('GET, HEAD, POST, PATCH, DELETE');
    expect(ok.headers.get('access-control-allow-headers')).toBe('accept, content-type');
    expect(ok.headers.get('access-control-max-age')).toBe('600');
    expect(ok.headers.get('vary')).toBe('Origin, Access-Control-Request-Method, Access-Control-Request-Headers');
    for (const refused of [await preflight('https://evil.example'), await preflight('null'), await preflight(PAGE, '/api/none')]) {
      expect(refused.status).toBe(403);
      expect(refused.headers.get('access-control-allow-origin')).toBeNull();
      expect(refused.headers.get('access-control-allow-methods')).toBeNull();
    }
  });

  test('a plain OPTIONS (no preflight) is left to the route', async () => {
    expect((await get('/api/session', PAGE, { method: 'OPTIONS' })).status).toBe(200);
  });

  test('the paths: the API and sign-in only', () => {
    expect(['/api/session', '/api/games/x', '/auth/login'].every(isCorsPath)).toBe(true);
    expect(['/', '/ws', '/metrics', '/config.json', '/apix', '/authorize'].some(isCorsPath)).toBe(false);
  });
});

describe('client address', () => {
  test('CloudFront-Viewer-Address: IPv4 and IPv6 with their port; anything else is not one', () => {
    expect(viewerAddress('198.51.100.10:46532')).toBe('198.51.100.10');
    expect(viewerAddress('2001:db8:85a3::8a2e:370:7334:46532')).toBe('2001:db8:85a3::8a2e:370:7334');
    expect(viewerAddress('0000:0000:0000:0000:0000:0000:0000:0001:52325')).toBe('0000:0000:0000:0000:0000:0000:0000:0001');
    expect(viewerAddress('[2001:db8::1]:443')).toBe('2001:db8::1');
    for (const bad of [undefined, '', '198.51.100.10', 'evil:80', '198.51.100.10:port', '999.1.1.1:80', ['1.2.3.4:1', '5.6.7.8:2'], '[1.2.3.4]:80']) {
      expect(viewerAddress(bad)).toBeNull();
    }
  });

  test('trusted only when told to; the connection\'s address otherwise and when the header is not an address', () => {
    const req = (header?: string) => ({ headers: header ? { 'cloudfront-viewer-address': header } : {}, socket: { remoteAddress: '10.0.0.5' } }) as never;
    expect(clientAddress(false)(req('198.51.100.10:46532'))).toBe('10.0.0.5');
    expect(clientAddress(true)(req('198.51.100.10:46532'))).toBe('198.51.100.10');
    expect(clientAddress(true)(req('garbage'))).toBe('10.0.0.5');
    expect(clientAddress(true)(req())).toBe('10.0.0.5');
  });
});
