// Forwards a request to a service behind the gateway (the finalizer's read API, the accounts
// service), so the page talks to one origin: its cookies, Origin checks and caching hold as if the
// service answered itself. Only the headers those services use travel each way; redirects are
// passed to the browser, not followed (sign-in is a chain of them).
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ClientAddress } from './client-address.js';
import { addVary } from './cors.js';

const REQUEST_HEADERS = ['accept', 'content-type', 'cookie', 'origin', 'if-none-match', 'user-agent'];
const RESPONSE_HEADERS = ['content-type', 'cache-control', 'etag', 'location', 'content-disposition'];

export interface ProxyOptions {
  methods: readonly string[];
  /** Largest request body forwarded (bytes); larger ones are answered 413 here. */
  maxBody: number;
  timeoutMs: number;
  /** The client's address (default: the connection's); see client-address.ts. */
  clientAddress?: ClientAddress;
  /** The trace context of the gateway's span for the request (tracing on): sent as traceparent, tracestate. */
  trace?: { traceparent: string; tracestate?: string };
}

export async function proxy(req: IncomingMessage, res: ServerResponse, base: string, o: ProxyOptions): Promise<void> {
  const method = req.method ?? 'GET';
  if (!o.methods.includes(method)) return send(res, 405, { error: `use ${o.methods.join(' or ')}` });
  const body = method === 'GET' || method === 'HEAD' ? undefined : await readBody(req, o.maxBody);
  if (body === null) {
    res.setHeader('connection', 'close');
    return send(res, 413, { error: `body larger than ${o.maxBody} bytes` });
  }
  const headers = new Headers();
  for (const h of REQUEST_HEADERS) {
    const v = req.headers[h];
    if (typeof v === 'string') headers.set(h, v);
  }
  // The client's address, for the services' own limits (the id-provider's sign-in limits, logs).
  headers.set('x-forwarded-for', o.clientAddress ? o.clientAddress(req) : (req.socket.remoteAddress ?? ''));
  // Only the gateway's own context: a traceparent from the client is not passed on (REQUEST_HEADERS).
  if (o.trace) {
    headers.set('traceparent', o.trace.traceparent);
    if (o.trace.tracestate) headers.set('tracestate', o.trace.tracestate);
  }
  const gone = new AbortController();
  res.once('close', () => gone.abort()); // the client left: the service stops working for it
  const upstream = await fetch(new URL(req.url ?? '/', base), {
    method, headers, redirect: 'manual', signal: AbortSignal.any([gone.signal, AbortSignal.timeout(o.timeoutMs)]),
    ...(body !== undefined ? { body } : {}),
  }).catch(() => null);
  if (!upstream) return res.writableEnded || res.destroyed ? undefined : send(res, 502, { error: 'service unavailable' });
  for (const h of RESPONSE_HEADERS) {
    const v = upstream.headers.get(h);
    if (v !== null) res.setHeader(h, v);
  }
  // Added to the gateway's own (Vary: Origin on the API: cors.ts), not in place of it.
  const vary = upstream.headers.get('vary');
  if (vary !== null) addVary(res, ...vary.split(',').map((v) => v.trim()).filter(Boolean));
  const cookies = upstream.headers.getSetCookie();
  if (cookies.length) res.setHeader('set-cookie', cookies);
  res.writeHead(upstream.status);
  res.end(method === 'HEAD' ? undefined : Buffer.from(await upstream.arrayBuffer()));
}

/** The body, or null past `max` bytes (the rest is read and dropped, so the 413 reaches the client). */
export function readBody(req: IncomingMessage, max: number): Promise<string | null> {
  return new Promise((resolve, reject) => {
    let size = 0;
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > max) {
        req.removeAllListeners('data');
        req.resume();
        resolve(null);
      } else chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}
