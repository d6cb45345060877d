// Browser sessions in Redis, shared by every accounts replica and read by every gateway. The cookie
// holds a random secret; everything else names the session by its handle, SHA-256 of that secret:
// the Redis key, the user's set of sessions and the socket token's `sid`. A token is readable by
// page scripts, so it must not carry what the HttpOnly cookie protects. The gateway accepts a
// token only while its session key exists, and is told on `sessionsEnded` to close the sockets of
// ended sessions. A session slides (each use extends it); a new guest session lives a day until
// it is used again, so cookieless requests cannot fill Redis for a month. Sign-ins in flight
// (state, PKCE verifier, nonce) live ten minutes and are taken once (GETDEL).
import { createHash, randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
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
  constructor(private readonly redis: Redis, private readonly keys: Keys, private readonly ttlSeconds: number) {}

  /** A new session and the secret for its cookie (returned once, stored nowhere). */
  async create(s: Omit<Session, 'handle' | 'createdAt'>): Promise<{ session: Session; secret: string }> {
    const secret = randomBytes(24).toString('base64url');
    const session: Session = { ...s, handle: handleOf(secret), createdAt: Date.now() };
    const ttl = s.kind === 'guest' ? Math.min(NEW_GUEST_TTL_S, this.ttlSeconds) : this.ttlSeconds;
    const m = this.redis.multi().set(this.keys.session(session.handle), JSON.stringify(session), 'EX', ttl);
    if (s.kind === 'user') m.sadd(this.keys.userSessions(s.playerId), session.handle).expire(this.keys.userSessions(s.playerId), this.ttlSeconds);
    await m.exec();
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
    await this.redis.multi().del(this.keys.session(s.handle)).srem(this.keys.userSessions(s.playerId), s.handle)
      .publish(this.keys.sessionsEnded, s.handle).exec();
  }

  /** Every session of a user (account deleted): gone here, and their sockets closed by the gateways. */
  async endAll(playerId: string): Promise<number> {
    const handles = await this.redis.smembers(this.keys.userSessions(playerId));
    const m = this.redis.multi().del(...handles.map((h) => this.keys.session(h)), this.keys.userSessions(playerId));
    for (const h of handles) m.publish(this.keys.sessionsEnded, h);
    await m.exec();
    return handles.length;
  }

  /** A user's live sessions (for the export). */
  async list(playerId: string): Promise<Session[]> {
    const handles = await this.redis.smembers(this.keys.userSessions(playerId));
    const raws = handles.length ? await this.redis.mget(...handles.map((h) => this.keys.session(h))) : [];
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
    const open = conns.length ? await this.redis.exists(...conns.map((c) => this.keys.conn(c))) : 0;
    const seen = await this.redis.get(this.keys.lastSeen(playerId));
    return { online: open > 0, lastSeen: seen ? Number(seen) : null };
  }

  /** Which of `playerIds` are online (a socket whose registry entry is still there), in two round trips. */
  async online(playerIds: readonly string[]): Promise<Set<string>> {
    if (playerIds.length === 0) return new Set();
    const conns = ((await this.redis.pipeline(playerIds.map((p) => ['smembers', this.keys.playerConns(p)])).exec()) ?? [])
      .map(([, v]) => (v ?? []) as string[]);
    const open = await this.redis.pipeline(conns.map((cs) => (cs.length ? ['exists', ...cs.map((c) => this.keys.conn(c))] : ['exists', this.keys.conn('none')]))).exec();
    return new Set(playerIds.filter((_, i) => Number(open?.[i]?.[1] ?? 0) > 0));
  }

  /** What Redis holds about a deleted player beyond sessions: presence. */
  async forget(playerId: string): Promise<void> {
    await this.redis.del(this.keys.lastSeen(playerId), this.keys.playerConns(playerId));
  }
}
