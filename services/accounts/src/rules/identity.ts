// Who a signed-in player is, in pure rules: the player id is derived from the provider's issuer and
// immutable subject (a username change is one update, never a migration of games), a first username
// is picked from the provider's claims, and a deleted player's games show a tombstone name.
import { createHash, randomBytes } from 'node:crypto';
import { usernameProblem } from '@gambit/protocol';

/** `u_` + 22 base64url characters of SHA-256(issuer, sub): stable, opaque, a stored id. */
export function playerIdFor(issuer: string, sub: string): string {
  return `u_${createHash('sha256').update(`${issuer}\0${sub}`).digest('base64url').slice(0, 22)}`;
}

/**
 * The name a deleted player's games show: random, chosen once when the deletion is queued (the job
 * carries it), so nobody who knew the player id can compute it and find the games again.
 */
export function newTombstone(): string {
  return `deleted-${randomBytes(3).toString('hex')}`;
}

/** Usernames to try for a new account, best first: the provider's name if it is a valid username, then generated ones. */
export function usernameCandidates(claims: { preferred_username?: unknown; name?: unknown; email?: unknown }, tries = 4): string[] {
  const out: string[] = [];
  for (const c of [claims.preferred_username, claims.name, typeof claims.email === 'string' ? claims.email.split('@')[0] : undefined]) {
    if (typeof c !== 'string') continue;
    const cleaned = c.replace(/[^A-Za-z0-9_-]/g, '').slice(0, 20);
    if (usernameProblem(cleaned) === null && !out.includes(cleaned)) out.push(cleaned);
  }
  const base = out[0]?.slice(0, 15) ?? 'player';
  while (out.length < tries + 1) out.push(`${base}-${randomBytes(2).toString('hex')}`);
  return out;
}
