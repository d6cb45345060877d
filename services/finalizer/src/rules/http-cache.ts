// HTTP caching of stored games, decided without I/O: a canonical body, its strong ETag, and the
// If-None-Match check (http.ts uses them for GET /api/games/:id).
import { createHash } from 'node:crypto';

/** JSON with object keys sorted at every level: the same record is the same bytes, whatever order DynamoDB returns. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v);
}

/** A strong ETag of a body: 128 bits of its SHA-256. */
export function etagOf(body: string): string {
  return `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"`;
}

/** Whether an If-None-Match header value matches `etag` (weak comparison, as RFC 9110 asks for this header). */
export function ifNoneMatchHits(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  const bare = (t: string) => t.trim().replace(/^W\//, '');
  return header.split(',').some((t) => t.trim() === '*' || bare(t) === bare(etag));
}

/**
 * Cache-Control of a stored game. A finished game's moves never change, but an account job
 * rewrites a player's name in it once (erasure, a guest's sign-up), so it is not `immutable`:
 * caches keep it an hour (a renamed or erased name may show that long in a cache that already
 * had it), then revalidate with the ETag (304 when unchanged). Player pages change with every
 * game and stay `no-store`.
 */
export const GAME_CACHE_CONTROL = 'public, max-age=3600';
