// Serves the built browser client in development (production may use a CDN instead): the real
// files of web/dist, and index.html for the page's own routes (/, /room/*, /@/*, /game/*,
// /account, /watch, /friends, /computer), so a reload or a shared link of any screen gets the page. Never for other paths:
// /api/*, /auth/*, /ws, /metrics and the rest stay the gateway's (routes.ts answers 404 JSON).
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { basename, extname, join, normalize, resolve, sep } from 'node:path';
import type { IncomingMessage, ServerResponse } from 'node:http';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml', '.png': 'image/png', '.json': 'application/json', '.map': 'application/json', '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
  '.wasm': 'application/wasm', // Stockfish (web/dist/engine/): WebAssembly.instantiateStreaming needs this type
};

/** The page's client-side routes (web/src/app.tsx: a screen added there is added here, and in pages.test.ts): each is answered with index.html. */
const CLIENT_ROUTE = /^\/(?:|room\/[^/]+|@\/[^/]+|game\/[^/]+|account|watch|friends|computer)\/?$/;

export const isClientRoute = (path: string): boolean => CLIENT_ROUTE.test(path);

/** A file named by its content hash (web/build.js: app-<hash>.js, engine/stockfish-<hash>.wasm): it never changes under that name. */
const HASHED = /-[A-Z0-9]{8}\.(?:js|css|wasm)$/;

function cacheControl(file: string): string {
  if (extname(file) === '.html') return 'no-cache'; // the page is checked on every load: it names the current bundle
  if (basename(file) === 'config.json') return 'no-cache'; // where the page's server is (web/src/server-origin.ts): a change counts at the next load
  return HASHED.test(file) ? 'public, max-age=31536000, immutable' : 'public, max-age=300';
}

export function staticFiles(root: string) {
  const base = resolve(root);
  return async (req: IncomingMessage, res: ServerResponse): Promise<boolean> => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return false;
    let path: string;
    try {
      path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    } catch {
      return false; // not valid percent-encoding: not one of our files
    }
    const file = normalize(join(base, path));
    if (file !== base && !file.startsWith(base + sep)) return false; // no escaping the root
    const info = await stat(file).catch(() => null);
    if (info?.isFile()) return send(req, res, file, info.size);
    if (!isClientRoute(path)) return false;
    const index = join(base, 'index.html');
    const page = await stat(index).catch(() => null);
    return page?.isFile() ? send(req, res, index, page.size) : false;
  };
}

function send(req: IncomingMessage, res: ServerResponse, file: string, size: number): true {
  res.writeHead(200, {
    'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
    'content-length': size,
    'cache-control': cacheControl(file),
    'x-content-type-options': 'nosniff',
  });
  if (req.method === 'HEAD') res.end();
  else createReadStream(file).pipe(res);
  return true;
}
