// The browser-facing rules of the accounts service, pure: where a sign-in may return to, which
// requests may change state (same-site only), and the session cookie's attributes.

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
 * A state-changing request is allowed only from the site itself: its Origin must be the site's
 * origin (browsers send Origin on every cross-origin request and on same-origin POST/PATCH/DELETE).
 * No Origin at all is refused too: the page always sends one, and a client without a browser has
 * no session cookie to ride on anyway.
 */
export function sameSite(origin: string | undefined, publicUrl: string): boolean {
  return origin !== undefined && origin === new URL(publicUrl).origin;
}

export interface CookieOptions { secure: boolean; maxAgeSeconds: number }

/** Set-Cookie for the session: HttpOnly (no page script reads it), SameSite=Lax, Secure under https. */
export function sessionCookie(sid: string, o: CookieOptions): string {
  return [`${SESSION_COOKIE}=${sid}`, 'Path=/', 'HttpOnly', 'SameSite=Lax', `Max-Age=${o.maxAgeSeconds}`, ...(o.secure ? ['Secure'] : [])].join('; ');
}

export function clearedCookie(secure: boolean): string {
  return sessionCookie('', { secure, maxAgeSeconds: 0 });
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
