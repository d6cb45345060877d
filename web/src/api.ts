// Every HTTP call the page makes, to the server server-origin.ts names (the page's own origin unless
// config.json says otherwise; the session cookie goes along either way), with one error type: ApiError carries the status and the server's error code, never shown as it is
// (errors.ts turns codes into sentences).
import type { Speed, Tally } from '@gambit/protocol/speed';
import type { GameRecord, LiveGameView, PlayerRef, Side, TimeControl } from '@gambit/protocol';
import type { Outcome } from './format.js';
import { apiUrl } from './server-origin.js';

export class ApiError extends Error {
  override name = 'ApiError';
  /** `status` 0: the request never got an answer (network down, server unreachable). */
  constructor(readonly status: number, readonly code: string, message: string) {
    super(message);
  }
}

async function request<T>(method: string, path: string, body?: unknown): Promise<T> {
  let res: Response;
  try {
    res = await fetch(apiUrl(path), {
      method,
      // The session cookie goes along also when the server is on another origin (server-origin.ts).
      credentials: 'include',
      headers: body === undefined ? { accept: 'application/json' } : { accept: 'application/json', 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  } catch (err) {
    throw new ApiError(0, 'network', err instanceof Error ? err.message : String(err));
  }
  if (res.status === 204) return undefined as T;
  const data = (await res.json().catch(() => null)) as Record<string, unknown> | null;
  if (!res.ok) {
    const code = typeof data?.error === 'string' && /^[a-z_]+$/.test(data.error) ? data.error : `http_${res.status}`;
    throw new ApiError(res.status, code, typeof data?.message === 'string' ? data.message : `${method} ${path}: HTTP ${res.status}`);
  }
  if (data === null) throw new ApiError(res.status, 'bad_response', `${method} ${path}: not JSON`);
  return data as T;
}

const seg = encodeURIComponent;

export interface SessionInfo { kind: 'guest' | 'user'; playerId: string; name: string; token: string; expiresAt?: number }
export interface UserInfo { playerId: string; username: string; createdAt: number; online: boolean; lastSeen: number | null }
/** A speed's rating as the read API serves it (rounded; `provisional`: shown with "?"). */
export interface RatingView { rating: number; rd: number; provisional: boolean; games: number }
/** One side of a rated game: the rating before and after it (and the deviation after). */
export interface SideRating { before: number; after: number; rd: number; games: number }
export interface PlayerStats {
  playerId: string; name: string; games: number; wins: number; losses: number; draws: number;
  speeds?: Partial<Record<Speed, Tally>>; ratings?: Partial<Record<Speed, RatingView>>; createdAt?: number; updatedAt?: number;
}
export interface GameSummary {
  gameId: string; room: string; color: Side; opponent: PlayerRef; result: GameRecord['result']; reason: GameRecord['reason'];
  outcome: Outcome; plies: number; tc: TimeControl; startedAt: number; endedAt: number; rating?: SideRating;
}
/** The finalizer answers `next`; the accounts contract spells it `cursor`: either is the next page. */
export interface GamePage { games: GameSummary[]; next?: string | null; cursor?: string | null }
export interface Account {
  playerId: string; username: string; email: string | null; createdAt: number; usernameChangedAt: number | null; provider: string;
}
export interface Friend { playerId: string; username: string; since: number; online?: boolean }
export interface FriendLists { friends: Friend[]; incoming: Friend[]; outgoing: Friend[]; blocked: Friend[] }
export type FriendAction = 'request' | 'accept' | 'decline' | 'remove' | 'block' | 'unblock';
export type StoredGame = GameRecord & { storedAt?: number; ratings?: Record<Side, SideRating> };

export const api = {
  /** The accounts service's session (guest or user); 404 where this stack has no accounts service. */
  session: (name?: string) => request<SessionInfo>('POST', '/api/session', name ? { name } : {}),
  /** The gateway's own guest tokens (stacks without accounts). */
  guest: (name?: string) => request<{ token: string; playerId: string; name: string }>('POST', '/api/guest', { name }),
  user: (username: string) => request<UserInfo>('GET', `/api/users/${seg(username)}`),
  player: (playerId: string) => request<PlayerStats>('GET', `/api/players/${seg(playerId)}`),
  playerGames: (playerId: string, cursor?: string | null) =>
    request<GamePage>('GET', `/api/players/${seg(playerId)}/games?limit=20${cursor ? `&cursor=${seg(cursor)}` : ''}`),
  game: (gameId: string) => request<StoredGame>('GET', `/api/games/${seg(gameId)}`),
  /** The signed-in player's friends (with presence), requests both ways and the players they blocked. */
  friends: () => request<FriendLists>('GET', '/api/friends'),
  friend: (username: string, action: FriendAction) => request<{ username: string }>('POST', `/api/friends/${seg(username)}`, { action }),
  /** The games in play, highest rated first, each with its number of spectators. */
  live: () => request<{ games: LiveGameView[] }>('GET', '/api/live'),
  account: () => request<Account>('GET', '/api/account'),
  renameAccount: (username: string) => request<Account>('PATCH', '/api/account', { username }),
  deleteAccount: (confirm: string) => request<void>('DELETE', '/api/account', { confirm }),
};

/** A 404 as "nothing there" (null); every other failure is thrown on. */
export async function orNull<T>(p: Promise<T>): Promise<T | null> {
  try {
    return await p;
  } catch (err) {
    if (err instanceof ApiError && err.status === 404) return null;
    throw err;
  }
}
