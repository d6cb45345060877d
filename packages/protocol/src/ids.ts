// What a stored id looks like: the one definition of game and player ids as the finalizer stores
// them in DynamoDB (gameRecordSchema checks every record) and as they travel in the read API's
// paths (/api/games/:id, /api/players/:id, /api/players/:id/games: the finalizer checks them, and
// the gateway checks them before it proxies a path there).
//
// - Game ids come from the engine's randomUUID (packages/rooms/src/engine.ts): hex and '-'.
// - Player ids are `g_<base64url>` for guests (A-Z a-z 0-9 _ -) and `oidc:<sub>` for OIDC sign-ins,
//   where `sub` is whatever the identity provider issues: ':' is ours, and '.' is common in subs
//   (e-mail-like or dotted usernames), so '.' is allowed. Per-player lookups take the same ids.
// - Never '#': row keys are `<gameId>#<color>`. Never '/', '%', '?' or space: an id is one path
//   segment as it is. Never an id that is only '.' or '..': URL resolution (the gateway's proxy,
//   any client's fetch) turns such a segment into a walk to another route, not an id.

/** 1-128 characters from A-Z a-z 0-9 _ . : -, and not '.' or '..' alone. */
export const STORED_ID_RE = /^(?!\.{1,2}$)[A-Za-z0-9_.:-]{1,128}$/;

/** How to say what STORED_ID_RE accepts, in error messages. */
export const STORED_ID_RULE = '1-128 characters from A-Z a-z 0-9 _ . : - (not "." or ".." alone)';

/** A game or player id as stored and served by the read API. */
export function isStoredId(value: string): boolean {
  return STORED_ID_RE.test(value);
}

/** A signed-in player's id (`u_...`, from the accounts service): only they may play rated games. */
export const isAccountId = (playerId: string): boolean => playerId.startsWith('u_');
