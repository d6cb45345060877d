// Where the page's server is: the gateway that answers /api/*, /auth/* and the socket (/ws). By
// default the page's own origin (the gateway serves the page, or a CDN routes those paths to the
// gateway, as infra/aws/site.yaml does). A page served from another origin (S3 + CloudFront, nginx)
// names the gateway in /config.json next to index.html, read once at boot (main.tsx):
//
//   {"api": "https://api.example.com"}                    HTTP base of /api and /auth; socket wss://api.example.com/ws
//   {"api": "https://api.example.com", "socket": "wss://live.example.com/ws"}   the socket elsewhere
//   {} or an empty file, or no file at all (404; 403 from a private S3 bucket)  the page's own origin
//
// A file that is there but wrong (not JSON, an unknown key, a URL with a path, http from an https
// page) stops the page with the reason on screen and in the console: a guess would send the
// player's requests somewhere nobody meant. Every other module asks here (apiUrl, socketUrl,
// pageUrl) and never builds a server URL itself.

export interface ServerOrigin {
  /** Put before /api/... and /auth/... paths: '' when the page's own origin serves them. */
  api: string;
  /** The socket's URL (ws: or wss:). */
  socket: string;
  /** The page's own origin (where sign-in comes back to). */
  page: string;
}

/** What resolveServer needs of `location`. */
export interface PageLocation { origin: string; protocol: string; host: string }

export class ServerConfigError extends Error {
  override name = 'ServerConfigError';
}

export const CONFIG_PATH = '/config.json';
const KEYS = ['api', 'socket'];

const sameOrigin = (page: PageLocation): ServerOrigin =>
  ({ api: '', socket: `${page.protocol === 'https:' ? 'wss' : 'ws'}://${page.host}/ws`, page: page.origin });

/** Pure: the server the page talks to, from config.json's content (undefined: no file, or an empty one). Throws ServerConfigError. */
export function resolveServer(raw: unknown, page: PageLocation): ServerOrigin {
  const base = sameOrigin(page);
  if (raw === undefined) return base;
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new ServerConfigError('must be a JSON object, e.g. {"api": "https://api.example.com"} ({} for the page\'s own origin)');
  }
  const unknown = Object.keys(raw).filter((k) => !KEYS.includes(k));
  if (unknown.length) throw new ServerConfigError(`unknown key ${unknown.map((k) => JSON.stringify(k)).join(', ')} (known: ${KEYS.join(', ')})`);
  const { api, socket } = raw as { api?: unknown; socket?: unknown };
  const secure = page.protocol === 'https:';
  let out = base;
  if (api !== undefined && api !== null && api !== '') {
    const url = parse('api', api, ['https:', 'http:']);
    if (url.pathname !== '/' || url.search || url.hash) throw new ServerConfigError(`api must be an origin without a path, e.g. https://api.example.com (got ${JSON.stringify(api)})`);
    if (secure && url.protocol === 'http:') throw new ServerConfigError(`api is http: but the page is https: the browser would block every request (mixed content)`);
    if (url.origin !== page.origin) out = { ...out, api: url.origin, socket: `${url.protocol === 'https:' ? 'wss' : 'ws'}://${url.host}/ws` };
  }
  if (socket !== undefined && socket !== null && socket !== '') {
    const url = parse('socket', socket, ['wss:', 'ws:']);
    if (url.search || url.hash) throw new ServerConfigError(`socket must be a URL without a query or fragment (got ${JSON.stringify(socket)})`);
    if (secure && url.protocol === 'ws:') throw new ServerConfigError('socket is ws: but the page is https: the browser would refuse it (use wss:)');
    out = { ...out, socket: url.pathname === '/' ? `${url.origin}/ws` : url.href };
  }
  return out;
}

function parse(key: string, value: unknown, protocols: string[]): URL {
  if (typeof value !== 'string') throw new ServerConfigError(`${key} must be a string`);
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ServerConfigError(`${key} is not a URL: ${JSON.stringify(value)}`);
  }
  if (!protocols.includes(url.protocol)) throw new ServerConfigError(`${key} must start with ${protocols.map((p) => `${p}//`).join(' or ')} (got ${JSON.stringify(value)})`);
  if (url.username || url.password) throw new ServerConfigError(`${key} must not carry a user or password`);
  return url;
}

let current: ServerOrigin | null = null;

/** Sets the server (main.tsx at boot; tests). */
export function setServer(next: ServerOrigin | null): void {
  current = next;
}

/** The server in force (the page's own origin until main.tsx has read config.json). */
export const currentServer = (): ServerOrigin => current ?? sameOrigin(location);

/** True when /api and /auth are on another origin than the page. */
export const crossOrigin = (): boolean => (current?.api ?? '') !== '';

/** The URL of a server path (`/api/...`, `/auth/...`): the path itself on the page's origin. */
export const apiUrl = (path: string): string => `${current?.api ?? ''}${path}`;

/** The socket's URL. */
export const socketUrl = (): string => currentServer().socket;

/** A path of this page as the server sends the browser back to it (after sign-in): absolute when the server is elsewhere. */
export const pageUrl = (path: string): string => (crossOrigin() ? `${current!.page}${path}` : path);

/**
 * Reads /config.json (no cache: a deploy may change it) and returns the server it names. A
 * network failure or a 5xx is tried three times; then, like a bad file, ServerConfigError.
 */
export async function loadServer(page: PageLocation = location, get: typeof fetch = (...a) => fetch(...a), pauseMs = 500): Promise<ServerOrigin> {
  let res: Response | null = null;
  let why = '';
  for (let attempt = 1; attempt <= 3; attempt++) {
    try {
      res = await get(CONFIG_PATH, { cache: 'no-cache', headers: { accept: 'application/json' } });
      if (res.status < 500) break;
      why = `HTTP ${res.status}`;
    } catch (err) {
      why = err instanceof Error ? err.message : String(err);
    }
    res = null;
    if (attempt < 3) await new Promise((r) => setTimeout(r, pauseMs * attempt));
  }
  if (!res) throw new ServerConfigError(`could not be loaded (${why}); reload the page`);
  // No file: a plain host answers 404, a private S3 bucket behind CloudFront 403.
  if (res.status === 404 || res.status === 403) return resolveServer(undefined, page);
  if (!res.ok) throw new ServerConfigError(`answered HTTP ${res.status}`);
  const text = await res.text();
  // A host that answers every unknown path with index.html has no config file either.
  if (!text.trim() || (res.headers.get('content-type') ?? '').includes('text/html')) return resolveServer(undefined, page);
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new ServerConfigError('is not JSON');
  }
  return resolveServer(raw, page);
}
