// Who this tab plays as, and the token for the socket's `hello`. The accounts service's session
// (POST /api/session: a cookie session, guest or user, with a short-lived token asked for again
// before every connect) comes first; where the stack has none (404), the gateway's own guest
// tokens (POST /api/guest, kept per tab by session.ts) as before. When neither is offered, the page
// says so and links to sign in instead of retrying for ever.
import { api, ApiError } from './api.js';
import { loadGuest, newGuest, preferredName, saveName, storedName } from './session.js';

export interface Me { kind: 'guest' | 'user'; playerId: string; name: string }
export type Mode = 'accounts' | 'guests';

/** Neither sessions nor guest tokens are offered here: only signing in can help. */
export class NoSessionError extends Error {
  override name = 'NoSessionError';
}

/** What a failed request means for getting an identity: try the next way, wait and retry, or give up. */
export function nextWay(err: unknown, asking: 'session' | 'guest'): 'fallback' | 'retry' | 'give-up' {
  const status = err instanceof ApiError ? err.status : 0;
  if (status === 0 || status >= 500 || status === 429) return 'retry'; // the server is away or busy: it may come back
  return asking === 'session' ? 'fallback' : 'give-up';
}

/** A token younger than this is fresh enough for a connect (they live 5 minutes). */
const FRESH_MS = 10_000;

export class Identity {
  me: Me | null = null;
  mode: Mode | null = null;
  private token = '';
  private issuedAt = 0;

  get hasAccounts(): boolean {
    return this.mode === 'accounts';
  }

  /** The token for the next `hello` ('' before start). */
  get helloToken(): string {
    return this.token;
  }

  /** Finds out which way this stack offers and gets an identity. Throws ApiError (retry) or NoSessionError. */
  async start(): Promise<Me> {
    try {
      // A guest's chosen name goes along (the session may be new); a user's is ignored by the server.
      return this.fromSession(await api.session(storedName() ?? undefined));
    } catch (err) {
      if (nextWay(err, 'session') !== 'fallback') throw err;
    }
    this.mode = 'guests';
    const saved = loadGuest();
    if (saved) return this.fromGuest(saved);
    try {
      return this.fromGuest(await newGuest(preferredName()));
    } catch (err) {
      if (nextWay(err, 'guest') === 'give-up') throw new NoSessionError('no guest sign-in here');
      throw err;
    }
  }

  /** A guest's new display name: same player (accounts) or a new guest (gateway tokens). */
  async rename(name: string): Promise<Me> {
    if (this.mode === 'accounts') {
      const me = this.fromSession(await api.session(name));
      saveName(me.name);
      return me;
    }
    return this.fromGuest(await newGuest(name));
  }

  /** Before every socket (re)connect: a fresh short-lived token from the session. */
  async beforeConnect(): Promise<void> {
    if (this.mode !== 'accounts' || Date.now() - this.issuedAt < FRESH_MS) return;
    this.fromSession(await api.session());
  }

  /** The socket refused the token (4401): a new one for the identity in force. */
  async renew(): Promise<void> {
    if (this.mode === 'accounts') this.fromSession(await api.session());
    else this.fromGuest(await newGuest(this.me?.name ?? preferredName()));
  }

  private fromSession(s: { kind: 'guest' | 'user'; playerId: string; name: string; token: string }): Me {
    this.mode = 'accounts';
    this.token = s.token;
    this.issuedAt = Date.now();
    this.me = { kind: s.kind, playerId: s.playerId, name: s.name };
    return this.me;
  }

  private fromGuest(g: { playerId: string; name: string; token: string }): Me {
    this.token = g.token;
    this.issuedAt = Date.now();
    this.me = { kind: 'guest', playerId: g.playerId, name: g.name };
    return this.me;
  }
}
