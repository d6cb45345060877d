// TURN credentials for a player, by the TURN REST scheme coturn implements (use-auth-secret): the
// username is "<expiry in unix seconds>:<player id>", the password base64(HMAC-SHA1(secret,
// username)). coturn recomputes it with the same secret and refuses it once the expiry passed, so
// the secret itself never reaches a browser. Pure.
import { createHmac } from 'node:crypto';
import type { IceMsg } from '@gambit/protocol';

export interface TurnSettings {
  /** turn: and turns: URLs (one TURN server may listen on several); empty: no TURN. */
  turnUrls: readonly string[];
  secret?: string;
  ttlS: number;
  /** stun: URLs, handed out without credentials. */
  stunUrls: readonly string[];
}

export function turnCredentials(secret: string, playerId: string, nowMs: number, ttlS: number): { username: string; credential: string } {
  const username = `${Math.floor(nowMs / 1000) + ttlS}:${playerId}`;
  return { username, credential: createHmac('sha1', secret).update(username).digest('base64') };
}

/** The ICE servers a player gets (the answer to `ice`). */
export function iceServers(t: TurnSettings, playerId: string, nowMs: number): Omit<IceMsg, 't' | 'id'> {
  const servers: IceMsg['iceServers'] = [];
  if (t.stunUrls.length) servers.push({ urls: [...t.stunUrls] });
  if (t.turnUrls.length && t.secret) servers.push({ urls: [...t.turnUrls], ...turnCredentials(t.secret, playerId, nowMs, t.ttlS) });
  return { iceServers: servers, ttlS: t.ttlS };
}
