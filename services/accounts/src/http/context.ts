// What the accounts routes share: the adapters and the settings they act on.
import type { IncomingMessage } from 'node:http';
import type { Logger, SocketTokens } from '@gambit/common';
import type { AccountsConfig } from '../config.js';
import type { Provider } from '../adapters/oidc.js';
import type { Session, Sessions } from '../adapters/sessions.js';
import type { Users } from '../adapters/users.js';
import type { AccountJobs } from '../adapters/jobs.js';
import type { GameRecords } from '../adapters/games.js';
import type { Friends } from '../adapters/friends.js';
import { clearedCookie, sameSite, sessionCookie, sessionIdFrom } from '../rules/web.js';
import { HttpError } from './respond.js';

export interface Ctx {
  config: AccountsConfig;
  provider: Provider;
  sessions: Sessions;
  users: Users;
  tokens: SocketTokens;
  jobs: AccountJobs;
  games: GameRecords;
  friends: Friends;
  log: Logger;
  /** Cookies are Secure when the site is served over https. */
  secure: boolean;
  /** The session cookie's SameSite (SESSION_SAMESITE). */
  sameSite: 'Lax' | 'None';
  /** The page's home: PAGE_ORIGINS' first, else '' (the site itself, PUBLIC_URL): sign-out and a cancelled sign-in go to its `/`. */
  home: string;
}

/** The session cookie for a new session secret, as this service sets them. */
export const newSessionCookie = (ctx: Ctx, secret: string): string =>
  sessionCookie(secret, { secure: ctx.secure, sameSite: ctx.sameSite, maxAgeSeconds: ctx.config.SESSION_TTL_DAYS * 86_400 });

/** The session cookie cleared (sign-out, a deleted account). */
export const noSessionCookie = (ctx: Ctx): string => clearedCookie(ctx.secure, ctx.sameSite);

/** The request's live session, or null (no cookie, ended, expired). */
export async function sessionOf(ctx: Ctx, req: IncomingMessage): Promise<Session | null> {
  const sid = sessionIdFrom(req.headers.cookie);
  return sid ? ctx.sessions.touch(sid) : null;
}

/** The signed-in user's session, or 401. */
export async function userSession(ctx: Ctx, req: IncomingMessage): Promise<Session> {
  const s = await sessionOf(ctx, req);
  if (!s || s.kind !== 'user') throw new HttpError(401, 'not_signed_in', 'Sign in first.');
  return s;
}

/** Refuses a state-changing request from another site (403), before anything is read or changed. */
export function requireSameSite(ctx: Ctx, req: IncomingMessage): void {
  const origin = typeof req.headers.origin === 'string' ? req.headers.origin : undefined;
  if (!sameSite(origin, ctx.config.PUBLIC_URL, ctx.config.PAGE_ORIGINS)) throw new HttpError(403, 'cross_site', 'This request must come from the site itself.');
}
