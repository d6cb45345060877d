// The browser-facing rules of the accounts service, pure: where a sign-in may return to, which
// requests may change state (the site's own origin and the page's, only), and the session cookie's attributes.

export const SESSION_COOKIE = 'gambit_sid';

/**
 * A same-site path to return to after sign-in: resolved against the site, kept only if it stays on
 * the site (no `//host`, `/\\host` or scheme: open redirects), and returned percent-encoded so it
 * is always a valid Location header.
 */
export function safeReturnPath(raw: string | null | undefined): string {
  if (!raw || !raw.startsWith('/') || raw.length > 512) return '/';
  if ([...raw].some((ch) => ch.charCodeAt(0) < 0x20 || ch.charCodeAt(0) === 0x7f)) return '/';
  let url: URL;
  try {
    url = new URL(raw, 'https://site.invalid');
  } catch {
    return '/';
  }
  if (url.origin !== 'https://site.invalid' || raw.startsWith('//') || raw.startsWith('/\\')) return '/';
  if (url.pathname.startsWith('/auth/')) return '/';
  return `${url.pathname}${url.search}${url.hash}`;
}

/**
 * Where the browser may be sent back to after a sign-in: a same-site path (safeReturnPath), or an
 * absolute URL on one of the page's origins (a page on a CDN sends its own address: the sign-in
 * happens on the gateway's origin). `pageOrigins` are PAGE_ORIGINS: when set, the first is the
 * page's home, paths are taken on it and anything refused goes to its `/`. Returned percent-encoded.
 */
export function safeReturn(raw: string | null | undefined, pageOrigins: readonly string[] = []): string {
  const home = pageOrigins[0];
  if (!raw || raw.startsWith('/') || raw.length > 512) return `${home ?? ''}${safeReturnPath(raw)}`;
  const fallback = `${home ?? ''}/`;
  if ([...raw].some((ch) => ch.charCodeAt(0) < 0x20 || ch.charCodeAt(0) === 0x7f)) return fallback;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return fallback;
  }
  if (!pageOrigins.includes(url.origin) || url.username || url.password || url.pathname.startsWith('/auth/')) return fallback;
  return url.href;
}

/**
 * A state-changing request is allowed only from the site itself: its Origin must be the site's
 * origin (browsers send Origin on every cross-origin request and on same-origin POST/PATCH/DELETE),
 * or one of the page's origins (PAGE_ORIGINS: the page on a CDN). No Origin at all is refused too:
 * the page always sends one, and a client without a browser has no session cookie to ride on anyway.
 */
export function sameSite(origin: string | undefined, publicUrl: string, pageOrigins: readonly string[] = []): boolean {
  return origin !== undefined && (origin === new URL(publicUrl).origin || pageOrigins.includes(origin));
}

export interface CookieOptions {
  secure: boolean;
  maxAgeSeconds: number;
  /** Lax unless a page on another site needs the cookie (SESSION_SAMESITE=none; then always Secure). */
  sameSite?: 'Lax' | 'None';
}

/** Set-Cookie for the session: HttpOnly (no page script reads it), SameSite=Lax (or None), Secure under https. */
export function sessionCookie(sid: string, o: CookieOptions): string {
  const sameSite = o.sameSite ?? 'Lax';
  const secure = o.secure || sameSite === 'None';
  return [`${SESSION_COOKIE}=${sid}`, 'Path=/', 'HttpOnly', `SameSite=${sameSite}`, `Max-Age=${o.maxAgeSeconds}`, ...(secure ? ['Secure'] : [])].join('; ');
}

export function clearedCookie(secure: boolean, sameSite: 'Lax' | 'None' = 'Lax'): string {
  return sessionCookie('', { secure, maxAgeSeconds: 0, sameSite });
}

/** One cookie's value from a Cookie header. */
export function cookieValue(cookieHeader: string | undefined, name: string): string | null {
  for (const part of (cookieHeader ?? '').split(';')) {
    const i = part.indexOf('=');
    if (i > 0 && part.slice(0, i).trim() === name) return part.slice(i + 1).trim();
  }
  return null;
}

/** The session secret in a Cookie header, if it looks like one of ours. */
export function sessionIdFrom(cookieHeader: string | undefined): string | null {
  const v = cookieValue(cookieHeader, SESSION_COOKIE);
  return v && /^[A-Za-z0-9_-]{20,64}$/.test(v) ? v : null;
}
