// The static files of the page over a real HTTP server: Stockfish's .wasm with the type
// WebAssembly needs and cached for good under its hashed name, /computer answered with the page.
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isClientRoute, staticFiles } from './static.js';

describe('static files', () => {
  let root = '';
  let server: Server;
  let base = '';

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'gambit-static-'));
    await mkdir(join(root, 'engine'));
    await writeFile(join(root, 'index.html'), '<div id="app"></div>');
    await writeFile(join(root, 'engine', 'stockfish-ABCD2345.js'), 'onmessage = () => {};');
    await writeFile(join(root, 'engine', 'stockfish-ABCD2345.wasm'), Buffer.from([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]));
    const serve = staticFiles(root);
    server = createServer((req, res) => {
      void serve(req, res).then((served) => {
        if (!served) res.writeHead(404, { 'content-type': 'application/json' }).end('{}');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
    await rm(root, { recursive: true, force: true });
  });

  test('the engine: the worker script as JavaScript, the .wasm as application/wasm, both cached for good', async () => {
    const wasm = await fetch(`${base}/engine/stockfish-ABCD2345.wasm`);
    expect([wasm.status, wasm.headers.get('content-type'), wasm.headers.get('cache-control')])
      .toEqual([200, 'application/wasm', 'public, max-age=31536000, immutable']);
    expect(Buffer.from(await wasm.arrayBuffer()).subarray(0, 4)).toEqual(Buffer.from([0, 0x61, 0x73, 0x6d]));
    const js = await fetch(`${base}/engine/stockfish-ABCD2345.js`);
    expect([js.status, js.headers.get('content-type'), js.headers.get('cache-control')])
      .toEqual([200, 'text/javascript; charset=utf-8', 'public, max-age=31536000, immutable']);
  });

  test('/computer is a screen of the page; a path below it is not', async () => {
    expect(isClientRoute('/computer')).toBe(true);
    expect(isClientRoute('/computer/')).toBe(true);
    expect(isClientRoute('/computer/x')).toBe(false);
    const page = await fetch(`${base}/computer`);
    expect([page.status, page.headers.get('content-type'), page.headers.get('cache-control')])
      .toEqual([200, 'text/html; charset=utf-8', 'no-cache']);
    expect(await page.text()).toContain('<div id="app">');
    expect((await fetch(`${base}/computer/x`)).status).toBe(404);
  });
});
