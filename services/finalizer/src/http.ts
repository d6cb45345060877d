// Read API over the stored games (the gateway proxies /api/games/* and /api/players/* here),
// plus health, readiness and metrics. Plain node:http: five routes do not need a framework.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { httpServerSpan, type Logger, type Registry } from '@gambit/common';
import { STORED_ID_RULE, isStoredId } from '@gambit/protocol';
import { canonicalJson, etagOf, GAME_CACHE_CONTROL, ifNoneMatchHits } from './rules/http-cache.js';
import { BadCursorError, type GameStore } from './store.js';

export interface HttpDeps {
  store: GameStore;
  registry: Registry;
  logger: Logger;
  /** DynamoDB and Redis both answer. */
  ready: () => Promise<{ ok: boolean; checks: Record<string, string> }>;
}

class HttpError extends Error {
  constructor(readonly status: number, readonly code: string, message: string) {
    super(message);
  }
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
  res.end(text);
}

/** A stored game: a strong ETag of its exact bytes, cacheable (GAME_CACHE_CONTROL says for how long and why), 304 when the client has it. */
function sendCacheable(req: IncomingMessage, res: ServerResponse, body: unknown): void {
  const text = canonicalJson(body);
  const etag = etagOf(text);
  const headers = { etag, 'cache-control': GAME_CACHE_CONTROL };
  if (ifNoneMatchHits(req.headers['if-none-match'], etag)) {
    res.writeHead(304, headers);
    return void res.end();
  }
  res.writeHead(200, { ...headers, 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  res.end(text); // HEAD: node sends the headers only
}

function id(raw: string, what: string): string {
  let value: string;
  try {
    value = decodeURIComponent(raw);
  } catch {
    value = '';
  }
  if (!isStoredId(value)) throw new HttpError(400, 'bad_request', `${what} must be ${STORED_ID_RULE}`);
  return value;
}

function limitParam(raw: string | null): number {
  if (raw === null) return 20;
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || n < 1 || n > 100) throw new HttpError(400, 'bad_request', 'limit must be an integer from 1 to 100');
  return n;
}

async function route(deps: HttpDeps, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const path = url.pathname;
  if (req.method !== 'GET' && req.method !== 'HEAD') throw new HttpError(405, 'method_not_allowed', 'only GET and HEAD are supported');
  if (path === '/healthz') return send(res, 200, { ok: true });
  if (path === '/readyz') {
    const r = await deps.ready();
    return send(res, r.ok ? 200 : 503, r);
  }
  if (path === '/metrics') {
    res.writeHead(200, { 'content-type': deps.registry.contentType });
    res.end(await deps.registry.metrics());
    return;
  }
  let m = /^\/api\/games\/([^/]+)$/.exec(path);
  if (m) {
    const gameId = id(m[1]!, 'game id');
    const game = await deps.store.getGame(gameId);
    if (!game) throw new HttpError(404, 'not_found', `no stored game ${gameId}`);
    return sendCacheable(req, res, game);
  }
  m = /^\/api\/players\/([^/]+)\/games$/.exec(path);
  if (m) {
    const playerId = id(m[1]!, 'player id');
    const cursor = url.searchParams.get('cursor') || undefined;
    return send(res, 200, await deps.store.listPlayerGames(playerId, limitParam(url.searchParams.get('limit')), cursor));
  }
  m = /^\/api\/players\/([^/]+)$/.exec(path);
  if (m) {
    const playerId = id(m[1]!, 'player id');
    const player = await deps.store.getPlayer(playerId);
    if (!player) throw new HttpError(404, 'not_found', `no player ${playerId} has finished a game`);
    return send(res, 200, player);
  }
  throw new HttpError(404, 'not_found', `no route for ${path}`);
}

export function createHttpServer(deps: HttpDeps): Server {
  return createServer((req, res) => {
    // The read API's requests are traced (when tracing is on), as children of the gateway's proxy span.
    if (req.url?.startsWith('/api/')) httpServerSpan(req, res, true);
    route(deps, req, res).catch((err: unknown) => {
      if (res.headersSent) return void res.end();
      if (err instanceof BadCursorError) err = new HttpError(400, 'bad_request', err.message);
      if (err instanceof HttpError) return send(res, err.status, { error: err.code, message: err.message });
      deps.logger.error({ err, url: req.url }, 'http request failed');
      send(res, 500, { error: 'internal', message: 'internal error' });
    });
  });
}
