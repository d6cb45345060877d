import { afterEach, describe, expect, test } from '@jest/globals';
import { apiUrl, crossOrigin, loadServer, pageUrl, resolveServer, ServerConfigError, setServer } from './server-origin.js';
import { signInHref } from './routes.js';

const PAGE = { origin: 'https://chess.example.com', protocol: 'https:', host: 'chess.example.com' };
const LOCAL = { origin: 'http://127.0.0.1:8080', protocol: 'http:', host: '127.0.0.1:8080' };
const SAME = { api: '', socket: 'wss://chess.example.com/ws', page: 'https://chess.example.com' };

describe('resolveServer', () => {
  test('no file, an empty one or {}: the page\'s own origin (ws: under http)', () => {
    expect(resolveServer(undefined, PAGE)).toEqual(SAME);
    expect(resolveServer({}, PAGE)).toEqual(SAME);
    expect(resolveServer({ api: '' }, PAGE)).toEqual(SAME);
    expect(resolveServer({}, LOCAL)).toEqual({ api: '', socket: 'ws://127.0.0.1:8080/ws', page: 'http://127.0.0.1:8080' });
    expect(resolveServer({ api: 'https://chess.example.com/' }, PAGE)).toEqual(SAME); // its own origin spelled out
  });

  test('api: the HTTP base and the socket beside it; socket: elsewhere still', () => {
    expect(resolveServer({ api: 'https://api.example.com' }, PAGE))
      .toEqual({ api: 'https://api.example.com', socket: 'wss://api.example.com/ws', page: 'https://chess.example.com' });
    expect(resolveServer({ api: 'https://API.example.com:8443/' }, PAGE))
      .toEqual({ api: 'https://api.example.com:8443', socket: 'wss://api.example.com:8443/ws', page: 'https://chess.example.com' });
    expect(resolveServer({ api: 'http://127.0.0.1:9000' }, LOCAL)).toMatchObject({ api: 'http://127.0.0.1:9000', socket: 'ws://127.0.0.1:9000/ws' });
    expect(resolveServer({ api: 'https://api.example.com', socket: 'wss://live.example.com/ws' }, PAGE)).toMatchObject({ socket: 'wss://live.example.com/ws' });
    expect(resolveServer({ socket: 'wss://live.example.com' }, PAGE)).toEqual({ ...SAME, socket: 'wss://live.example.com/ws' });
  });

  test.each([
    ['a string', 'https://api.example.com', /JSON object/],
    ['an array', [], /JSON object/],
    ['null', null, /JSON object/],
    ['an unknown key', { apiOrigin: 'https://api.example.com' }, /unknown key "apiOrigin" \(known: api, socket\)/],
    ['a path', { api: 'https://api.example.com/v1' }, /without a path/],
    ['a query', { api: 'https://api.example.com/?x=1' }, /without a path/],
    ['not a URL', { api: 'api.example.com' }, /not a URL/],
    ['a number', { api: 8080 }, /must be a string/],
    ['another scheme', { api: 'ftp://api.example.com' }, /must start with https:\/\/ or http:\/\//],
    ['credentials', { api: 'https://u:p@api.example.com' }, /user or password/],
    ['http from an https page', { api: 'http://api.example.com' }, /mixed content/],
    ['ws from an https page', { socket: 'ws://live.example.com/ws' }, /use wss:/],
    ['an http socket', { socket: 'https://live.example.com/ws' }, /must start with wss:\/\/ or ws:\/\//],
  ])('refused: %s', (_name, raw, message) => {
    expect(() => resolveServer(raw, PAGE)).toThrow(ServerConfigError);
    expect(() => resolveServer(raw, PAGE)).toThrow(message);
  });
});

describe('loadServer', () => {
  const answer = (status: number, body: string, type = 'application/json') => async () => new Response(status === 204 ? null : body, { status, headers: { 'content-type': type } });

  test('a config file, none (404, or 403 from a private bucket), an empty one, a host answering index.html', async () => {
    expect(await loadServer(PAGE, answer(200, '{"api":"https://api.example.com"}'))).toMatchObject({ api: 'https://api.example.com' });
    expect(await loadServer(PAGE, answer(404, '{"error":"not found"}'))).toEqual(SAME);
    expect(await loadServer(PAGE, answer(403, '<Error><Code>AccessDenied</Code></Error>', 'application/xml'))).toEqual(SAME);
    expect(await loadServer(PAGE, answer(200, ' \n'))).toEqual(SAME);
    expect(await loadServer(PAGE, answer(200, '<!doctype html><div id="app">', 'text/html; charset=utf-8'))).toEqual(SAME);
  });

  test('a broken file stops the page; a server that keeps failing too, after three tries', async () => {
    await expect(loadServer(PAGE, answer(200, '{"api": '))).rejects.toThrow('is not JSON');
    await expect(loadServer(PAGE, answer(200, '{"api":"http://api.example.com"}'))).rejects.toThrow(/mixed content/);
    let tries = 0;
    const failing = async () => {
      tries++;
      if (tries === 1) throw new TypeError('Failed to fetch');
      return new Response('', { status: 502 });
    };
    await expect(loadServer(PAGE, failing, 1)).rejects.toThrow('could not be loaded (HTTP 502); reload the page');
    expect(tries).toBe(3);
    let flaky = 0;
    const recovers = async () => (++flaky === 1 ? new Response('', { status: 503 }) : new Response('{}', { status: 200 }));
    expect(await loadServer(PAGE, recovers, 1)).toEqual(SAME);
  });
});

describe('URLs', () => {
  afterEach(() => setServer(null));

  test('on the page\'s origin: paths as they were', () => {
    setServer(SAME);
    expect(crossOrigin()).toBe(false);
    expect(apiUrl('/api/session')).toBe('/api/session');
    expect(pageUrl('/room/ABCD2345')).toBe('/room/ABCD2345');
    expect(signInHref('/friends')).toBe('/auth/login?return=%2Ffriends');
  });

  test('with the server elsewhere: its origin before /api and /auth, sign-in coming back to this page\'s absolute URL', () => {
    setServer(resolveServer({ api: 'https://api.example.com' }, PAGE));
    expect(crossOrigin()).toBe(true);
    expect(apiUrl('/api/session')).toBe('https://api.example.com/api/session');
    expect(pageUrl('/room/ABCD2345')).toBe('https://chess.example.com/room/ABCD2345');
    expect(signInHref('/@/ann', 'signup')).toBe(`https://api.example.com/auth/signup?return=${encodeURIComponent('https://chess.example.com/@/ann')}`);
    expect(signInHref('//evil.example/')).toBe(`https://api.example.com/auth/login?return=${encodeURIComponent('https://chess.example.com/')}`);
  });
});
