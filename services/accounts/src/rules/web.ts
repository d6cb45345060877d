// The browser-facing rules of the accounts service, pure: where a sign-in may return to, which
// requests may change state (same-site only), and the session cookie's attributes.

export const SESSION_COOKIE = 'gambit_sid';

/** A same-site path to return to after sign-in: an absolute path, never `//host` or a scheme (open redirects). */
export function safeReturnPath(raw: string | null | undefined): string {
  if (!raw || !raw.startsWith('/') || raw.startsWith('//') || raw.startsWith('/\\') || raw.length > 512) return '/';
  if ([...raw].some((ch) => ch.charCodeAt(0) < 0x20 || ch.charCodeAt(0) === 0x7f)) return '/'; // header splitting
  if (raw.startsWith('/auth/')) return '/';
  return raw;
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

/** The session id in a Cookie header, if it looks like one of ours. */
export function sessionIdFrom(cookieHeader: string | undefined): string | null {
  if (!cookieHeader) return null;
  for (const part of cookieHeader.split(';')) {
    const [k, v] = part.trim().split('=');
    if (k === SESSION_COOKIE && v && /^[A-Za-z0-9_-]{20,64}$/.test(v)) return v;
  }
  return null;
}
