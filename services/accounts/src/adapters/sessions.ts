// Browser sessions in Redis, shared by every accounts replica and read by every gateway. The cookie
// holds a random secret; everything else names the session by its handle, SHA-256 of that secret:
// the Redis key, the user's set of sessions and the socket token's `sid`. A token is readable by
// page scripts, so it must not carry what the HttpOnly cookie protects. The gateway accepts a
// token only while its session key exists, and is told on `sessionsEnded` to close the sockets of
// ended sessions. A session slides (each use extends it); a new guest session lives a day until
// it is used again, so cookieless requests cannot fill Redis for a month. Sign-ins in flight
// (state, PKCE verifier, nonce) live ten minutes and are taken once (GETDEL).
// A session, its user's index and each player's keys may lie in different Redis Cluster slots, so
// every command names one key: a session is written before its index entry and deleted before it
// (an index entry without a session is harmless), and the gateways are told last.
import { createHash, randomBytes } from 'node:crypto';
import type { RedisClient } from '@gambit/common';
import type { Keys } from '@gambit/common';

export interface Session {
  /** SHA-256 of the cookie's secret: the name of the session everywhere but the cookie. */
  handle: string;
  kind: 'guest' | 'user';
  playerId: string;
  name: string;
  createdAt: number;
  /** The provider's ID token, kept here (never in the page) for RP-initiated logout's id_token_hint. */
  idToken?: string;
}

export interface SignIn {
  verifier: string;
  nonce: string;
  returnTo: string;
  /** The guest session the browser had when it went to sign in: its games are adopted. */
  guestHandle?: string;
}

const SIGN_IN_TTL_S = 600;
const NEW_GUEST_TTL_S = 86_400;

export const handleOf = (secret: string): string => createHash('sha256').update(secret).digest('base64url');

export class Sessions {
  constructor(private readonly redis: RedisClient, private readonly keys: Keys, private readonly ttlSeconds: number) {}

  /** A new session and the secret for its cookie (returned once, stored nowhere). */
  async create(s: Omit<Session, 'handle' | 'createdAt'>): Promise<{ session: Session; secret: string }> {
    const secret = randomBytes(24).toString('base64url');
    const session: Session = { ...s, handle: handleOf(secret), createdAt: Date.now() };
    const ttl = s.kind === 'guest' ? Math.min(NEW_GUEST_TTL_S, this.ttlSeconds) : this.ttlSeconds;
    await this.redis.set(this.keys.session(session.handle), JSON.stringify(session), 'EX', ttl);
    if (s.kind === 'user') {
      // One key: the index never stands without its TTL.
      await this.redis.multi().sadd(this.keys.userSessions(s.playerId), session.handle).expire(this.keys.userSessions(s.playerId), this.ttlSeconds).exec();
    }
    return { session, secret };
  }

  /** The session of a cookie's secret, extended by another TTL; null when it ended or expired. */
  async touch(secret: string): Promise<Session | null> {
    return this.touchHandle(handleOf(secret));
  }

  async touchHandle(handle: string): Promise<Session | null> {
    const raw = await this.redis.getex(this.keys.session(handle), 'EX', this.ttlSeconds);
    if (!raw) return null;
    const s = JSON.parse(raw) as Session;
    if (s.kind === 'user') await this.redis.expire(this.keys.userSessions(s.playerId), this.ttlSeconds);
    return s;
  }

  /** A new display name, only if the session still exists (XX): an ended session stays ended. */
  async rename(s: Session, name: string): Promise<Session> {
    const next = { ...s, name };
    await this.redis.set(this.keys.session(s.handle), JSON.stringify(next), 'KEEPTTL', 'XX');
    return next;
  }

  async end(s: Pick<Session, 'handle' | 'playerId'>): Promise<void> {
    await this.redis.del(this.keys.session(s.handle));
    // The gateways are told once the session is gone: a socket token of it is refused from then on.
    await Promise.all([this.redis.srem(this.keys.userSessions(s.playerId), s.handle), this.redis.publish(this.keys.sessionsEnded, s.handle)]);
  }

  /** Every session of a user (account deleted): gone here, and their sockets closed by the gateways. */
  async endAll(playerId: string): Promise<number> {
    const handles = await this.redis.smembers(this.keys.userSessions(playerId));
    // One key per DEL (each session in its own slot); the index only after them, so a run cut short is redone.
    await Promise.all(handles.map((h) => this.redis.del(this.keys.session(h))));
    await Promise.all([this.redis.del(this.keys.userSessions(playerId)), ...handles.map((h) => this.redis.publish(this.keys.sessionsEnded, h))]);
    return handles.length;
  }

  /** A user's live sessions (for the export). */
  async list(playerId: string): Promise<Session[]> {
    const handles = await this.redis.smembers(this.keys.userSessions(playerId));
    const raws = await Promise.all(handles.map((h) => this.redis.get(this.keys.session(h))));
    return raws.filter((r): r is string => r !== null).map((r) => JSON.parse(r) as Session);
  }

  /** Each of a user's sessions gets the new name (a rename shows at the next socket token). */
  async renameAll(playerId: string, name: string): Promise<void> {
    for (const handle of await this.redis.smembers(this.keys.userSessions(playerId))) {
      const s = await this.touchHandle(handle);
      if (s) await this.rename(s, name);
    }
  }

  async startSignIn(state: string, data: SignIn): Promise<void> {
    await this.redis.set(this.keys.signIn(state), JSON.stringify(data), 'EX', SIGN_IN_TTL_S);
  }

  /** The sign-in started with `state`, once: a second callback with the same state finds nothing. */
  async takeSignIn(state: string): Promise<SignIn | null> {
    const raw = await this.redis.getdel(this.keys.signIn(state));
    return raw ? (JSON.parse(raw) as SignIn) : null;
  }

  /** Online now (an open socket on a live gateway) and when the last socket closed. */
  async presence(playerId: string): Promise<{ online: boolean; lastSeen: number | null }> {
    const conns = await this.redis.smembers(this.keys.playerConns(playerId));
    const [open, seen] = await Promise.all([Promise.all(conns.map((c) => this.redis.exists(this.keys.conn(c)))), this.redis.get(this.keys.lastSeen(playerId))]);
    return { online: open.some((n) => n > 0), lastSeen: seen ? Number(seen) : null };
  }

  /** Which of `playerIds` are online (a socket whose registry entry is still there), in two round trips (one key per command, sent together). */
  async online(playerIds: readonly string[]): Promise<Set<string>> {
    if (playerIds.length === 0) return new Set();
    const conns = await Promise.all(playerIds.map((p) => this.redis.smembers(this.keys.playerConns(p))));
    const open = await Promise.all(conns.map(async (cs) => (await Promise.all(cs.map((c) => this.redis.exists(this.keys.conn(c))))).some((n) => n > 0)));
    return new Set(playerIds.filter((_, i) => open[i]));
  }

  /** What Redis holds about a deleted player beyond sessions: presence. */
  async forget(playerId: string): Promise<void> {
    await Promise.all([this.redis.del(this.keys.lastSeen(playerId)), this.redis.del(this.keys.playerConns(playerId))]);
  }
}
