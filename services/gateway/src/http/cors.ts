// Answers for a page served from another origin than the gateway (a CDN, docs/client.md "The
// server's origin"): the API (/api/*) and sign-in (/auth/*) carry CORS headers with credentials for
// an origin on ALLOWED_ORIGINS, echoed back, and never for any other (an empty list: none at all, the
// page then has to be on the gateway's own origin). Preflights for the methods and headers the page
// uses are answered here; the services behind the gateway never see them. Every answer on these
// paths varies by Origin, so a shared cache never hands one origin's answer to another.
import type { IncomingMessage, ServerResponse } from 'node:http';

/** What the page sends: api.ts (GET, POST, PATCH, DELETE with JSON), and HEAD for completeness. */
export const CORS_METHODS = ['GET', 'HEAD', 'POST', 'PATCH', 'DELETE'] as const;
export const CORS_HEADERS = ['accept', 'content-type'] as const;
/** How long a browser may keep a preflight's answer (seconds; Chromium caps it at 7200). */
const PREFLIGHT_MAX_AGE = 600;

export const isCorsPath = (path: string): boolean => path.startsWith('/api/') || path.startsWith('/auth/');

/** Appends `values` to the response's Vary header, once each. */
export function addVary(res: ServerResponse, ...values: string[]): void {
  const had = res.getHeader('vary');
  const list = (Array.isArray(had) ? had.join(',') : had === undefined ? '' : String(had)).split(',').map((v) => v.trim()).filter(Boolean);
  for (const v of values) if (!list.some((x) => x.toLowerCase() === v.toLowerCase())) list.push(v);
  res.setHeader('vary', list.join(', '));
}

/**
 * Sets the CORS headers of an answer on /api/* or /auth/* (call it before anything is written).
 * Returns true when it answered the request itself: a preflight (204 for an allowed origin, 403
 * without any CORS header for another).
 */
export function cors(allowed: readonly string[], req: IncomingMessage, res: ServerResponse): boolean {
  const origin = typeof req.headers.origin === 'string' ? req.headers.origin : undefined;
  const ok = origin !== undefined && allowed.includes(origin);
  addVary(res, 'Origin');
  if (ok) {
    res.setHeader('access-control-allow-origin', origin);
    res.setHeader('access-control-allow-credentials', 'true');
  }
  if (req.method !== 'OPTIONS' || req.headers['access-control-request-method'] === undefined) return false;
  addVary(res, 'Access-Control-Request-Method', 'Access-Control-Request-Headers');
  if (!ok) {
    res.writeHead(403, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ error: 'origin not allowed' }));
    return true;
  }
  res.writeHead(204, {
    'access-control-allow-methods': CORS_METHODS.join(', '),
    'access-control-allow-headers': CORS_HEADERS.join(', '),
    'access-control-max-age': String(PREFLIGHT_MAX_AGE),
  });
  res.end();
  return true;
}
