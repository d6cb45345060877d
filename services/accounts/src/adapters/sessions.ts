// Browser sessions in Redis, shared by every accounts replica and read by every gateway (a socket
// token names its session; the gateway accepts it only while the session key exists). A session
// slides: each use extends it. A user's sessions are also in a set, so deleting the account (or a
// "sign out everywhere") ends them all. Sign-ins in flight (state, PKCE verifier, nonce) live ten
// minutes and are taken once (GETDEL), so a replayed callback finds nothing.
import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Keys } from '@gambit/common';

export interface Session {
  sid: string;
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
  guestSid?: string;
}

const SIGN_IN_TTL_S = 600;

export class Sessions {
  constructor(private readonly redis: Redis, private readonly keys: Keys, private readonly ttlSeconds: number) {}

  async create(s: Omit<Session, 'sid' | 'createdAt'>): Promise<Session> {
    const session: Session = { ...s, sid: randomBytes(24).toString('base64url'), createdAt: Date.now() };
    const m = this.redis.multi().set(this.keys.session(session.sid), JSON.stringify(session), 'EX', this.ttlSeconds);
    if (s.kind === 'user') m.sadd(this.keys.userSessions(s.playerId), session.sid).expire(this.keys.userSessions(s.playerId), this.ttlSeconds);
    await m.exec();
    return session;
  }

  /** The session, extended by another TTL; null when it ended or expired. */
  async touch(sid: string): Promise<Session | null> {
    const raw = await this.redis.getex(this.keys.session(sid), 'EX', this.ttlSeconds);
    if (!raw) return null;
    const s = JSON.parse(raw) as Session;
    if (s.kind === 'user') await this.redis.expire(this.keys.userSessions(s.playerId), this.ttlSeconds);
    return s;
  }

  /** A guest's new display name (the session keeps its player id). */
  async rename(s: Session, name: string): Promise<Session> {
    const next = { ...s, name };
    await this.redis.set(this.keys.session(s.sid), JSON.stringify(next), 'EX', this.ttlSeconds);
    return next;
  }

  async end(s: Pick<Session, 'sid' | 'playerId'>): Promise<void> {
    await this.redis.multi().del(this.keys.session(s.sid)).srem(this.keys.userSessions(s.playerId), s.sid).exec();
  }

  /** Every session of a user (account deleted, or renamed: each session carries the name). */
  async endAll(playerId: string): Promise<number> {
    const sids = await this.redis.smembers(this.keys.userSessions(playerId));
    await this.redis.del(...sids.map((sid) => this.keys.session(sid)), this.keys.userSessions(playerId));
    return sids.length;
  }

  /** Each of a user's sessions gets the new name (a rename shows at the next socket token). */
  async renameAll(playerId: string, name: string): Promise<void> {
    for (const sid of await this.redis.smembers(this.keys.userSessions(playerId))) {
      const s = await this.touch(sid);
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
}
