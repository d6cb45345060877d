// The gateway's HTTP side: guest tokens, health, metrics, the games in play, the finalizer's read API and the
// accounts service (both proxied: one origin for the page) and, in development, the browser client.
// A page served from another origin (a CDN) reaches /api/* and /auth/* through CORS (cors.ts).
import type { IncomingMessage, ServerResponse } from 'node:http';
import { httpServerSpan, injectTrace, type Registry } from '@gambit/common';
import { isStoredId } from '@gambit/protocol';
import { guestRequest, type SocketTokens } from '../auth/index.js';
import type { ClientAddress } from './client-address.js';
import { cors, isCorsPath } from './cors.js';
import { proxy, readBody } from './proxy.js';
import { staticFiles } from './static.js';

export interface RouteDeps {
  /** Null when guest sign-in is off (OIDC only). */
  guests: SocketTokens | null;
  registry: Registry;
  ready(): boolean;
  webRoot?: string;
  finalizerUrl?: string;
  accountsUrl?: string;
  /** The games in play, highest rated first (redis/live-games.ts). */
  live?: { list(): Promise<unknown[]> };
  /** Pages on these origins may call /api/* and /auth/* (CORS with credentials: cors.ts); empty: none but the gateway's own. */
  allowedOrigins?: readonly string[];
  /** The client's address as the services behind the gateway are told it (client-address.ts). */
  clientAddress?: ClientAddress;
}

/** The accounts service's paths: sign-in, the browser session, the account, player lookup by name, friends. */
const ACCOUNTS_API = /^\/(?:auth\/[a-z]+|api\/session|api\/account(?:\/export)?|api\/users\/[A-Za-z0-9_-]{1,64}|api\/friends(?:\/[A-Za-z0-9_-]{1,64})?)$/;

const MAX_BODY = 1024;
/** The finalizer's read API: /api/games/:id, /api/players/:id, /api/players/:id/games. */
const READ_API = /^\/api\/(?:games\/([^/]+)|players\/([^/]+)(?:\/games)?)$/;

/**
 * Whether a path is one of the read API's own shapes, its id a stored id (@gambit/protocol's
 * isStoredId, the check the finalizer makes too): no `..` walking to the finalizer's other routes.
 * The id is checked as the finalizer will see it, percent-decoded.
 */
function isReadApiPath(path: string): boolean {
  const m = READ_API.exec(path);
  if (!m) return false;
  try {
    return isStoredId(decodeURIComponent((m[1] ?? m[2])!));
  } catch {
    return false; // not valid percent-encoding
  }
}

export function routes(deps: RouteDeps) {
  const serveStatic = deps.webRoot ? staticFiles(deps.webRoot) : null;
  const allowedOrigins = deps.allowedOrigins ?? [];
  const proxyOptions = deps.clientAddress ? { clientAddress: deps.clientAddress } : {};
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const path = (req.url ?? '/').split('?')[0]!;
    try {
      // A page on another origin (a CDN) calls the API and signs in here: CORS for the allowed ones.
      if (isCorsPath(path) && cors(allowedOrigins, req, res)) return;
      if (path === '/healthz') return text(res, 200, 'ok');
      if (path === '/readyz') return deps.ready() ? text(res, 200, 'ready') : text(res, 503, 'not ready');
      if (path === '/metrics') {
        res.writeHead(200, { 'content-type': deps.registry.contentType });
        return void res.end(await deps.registry.metrics());
      }
      if (path === '/api/guest') {
        if (!deps.guests) return json(res, 404, { error: 'guest sign-in is disabled here' });
        if (req.method !== 'POST') return json(res, 405, { error: 'use POST' });
        const body = await readBody(req, MAX_BODY);
        if (body === null) {
          res.setHeader('connection', 'close');
          return json(res, 413, { error: `body larger than ${MAX_BODY} bytes` });
        }
        let raw: unknown = {};
        try {
          raw = body.length ? JSON.parse(body) : {};
        } catch {
          return json(res, 400, { error: 'body is not JSON' });
        }
        const parsed = guestRequest.safeParse(raw);
        if (!parsed.success) return json(res, 400, { error: parsed.error.issues[0]?.message ?? 'bad request', path: parsed.error.issues[0]?.path });
        return json(res, 200, await deps.guests.issue(parsed.data.name));
      }
      if (path === '/api/live' && deps.live) {
        if (req.method !== 'GET' && req.method !== 'HEAD') return json(res, 405, { error: 'use GET' });
        res.setHeader('cache-control', 'public, max-age=1');
        return json(res, 200, { games: await deps.live.list() });
      }
      if (deps.finalizerUrl && (path.startsWith('/api/games/') || path.startsWith('/api/players/'))) {
        if (!isReadApiPath(path)) return json(res, 400, { error: 'bad id' });
        // Traced (tracing on): a new trace here, its context passed on to the finalizer's span.
        const trace = injectTrace(httpServerSpan(req, res, false));
        return proxy(req, res, deps.finalizerUrl, { methods: ['GET', 'HEAD'], maxBody: 0, timeoutMs: 10_000, ...proxyOptions, ...(trace ? { trace } : {}) });
      }
      if (deps.accountsUrl && ACCOUNTS_API.test(path)) {
        // An export gathers every game of the player: it may take longer than one request.
        const timeoutMs = path === '/api/account/export' ? 120_000 : 10_000;
        const trace = injectTrace(httpServerSpan(req, res, false));
        return proxy(req, res, deps.accountsUrl, { methods: ['GET', 'HEAD', 'POST', 'PATCH', 'DELETE'], maxBody: 16 * 1024, timeoutMs, ...proxyOptions, ...(trace ? { trace } : {}) });
      }
      if (serveStatic && (await serveStatic(req, res))) return;
      json(res, 404, { error: 'not found' });
    } catch (err) {
      if (!res.headersSent) json(res, 500, { error: 'internal error' });
      else res.destroy(err as Error);
    }
  };
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

function text(res: ServerResponse, status: number, body: string): void {
  res.writeHead(status, { 'content-type': 'text/plain' });
  res.end(body);
}
