// The site's URLs in one place (pure): where each screen lives, the room code in a live-game URL
// (the canonical /room/CODE and the older /?room=CODE that shared links still use), and the
// sign-in links that come back to the page they left.
import { apiUrl, pageUrl } from './server-origin.js';

export const normalizeCode = (s: string): string => s.trim().toUpperCase().replace(/[^A-Z0-9]/g, '');
export const looksLikeCode = (s: string): boolean => /^[A-Z2-9]{8}$/.test(s);

export const roomPath = (code: string): string => `/room/${code}`;
export const playerPath = (username: string): string => `/@/${encodeURIComponent(username)}`;
export const gamePath = (gameId: string): string => `/game/${encodeURIComponent(gameId)}`;
/** A game against Stockfish in the browser (screens/Computer.tsx). */
export const COMPUTER_PATH = '/computer';

/** The room a URL shows: /room/CODE, or the older /?room=CODE; null for every other page. */
export function roomFromUrl(pathname: string, search: string): string | null {
  const m = /^\/room\/([^/]+)\/?$/.exec(pathname);
  if (m) return normalizeCode(decodeURIComponent(m[1]!));
  if (pathname !== '/') return null;
  const q = new URLSearchParams(search).get('room');
  return q ? normalizeCode(q) : null;
}

/**
 * /auth/login?return=<path>: the provider sends the person back to where they were. Same-site paths
 * only; with the server on another origin (server-origin.ts) the link goes there and the return is
 * this page's absolute URL (the accounts service takes it only for its PAGE_ORIGINS).
 */
export const signInHref = (returnTo: string, kind: 'login' | 'signup' = 'login'): string =>
  apiUrl(`/auth/${kind}?return=${encodeURIComponent(pageUrl(returnTo.startsWith('/') && !returnTo.startsWith('//') ? returnTo : '/'))}`);
