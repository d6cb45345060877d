// The browser session's socket token, the signed-in player's own account (read, rename, export,
// delete) and the public lookup of a player by username. Every account route answers 401 without a
// session and acts only on the caller's own account; every state change is same-site only.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import { newGuestId } from '@gambit/common';
import { usernameKey, usernameProblem } from '@gambit/protocol';
import type { User } from '../adapters/users.js';
import { newTombstone } from '../rules/identity.js';
import { exportDocument } from '../rules/export.js';
import { newSessionCookie, noSessionCookie, requireSameSite, sessionOf, userSession, type Ctx } from './context.js';
import { HttpError, body, json } from './respond.js';

const sessionBody = z.object({ name: z.string().trim().min(1, 'A name has at least 1 character.').max(24, 'A name has at most 24 characters.').regex(/^[^\p{C}]+$/u, 'A name has no control characters.').optional() }).strict();
const renameBody = z.object({ username: z.string() }).strict();
const deleteBody = z.object({ confirm: z.string() }).strict();

/** POST /api/session: the browser's session (a guest one is made on first use) and a fresh socket token. */
export async function session(ctx: Ctx, req: IncomingMessage, res: ServerResponse): Promise<void> {
  requireSameSite(ctx, req);
  const { name } = await body(req, sessionBody);
  let s = await sessionOf(ctx, req);
  const headers: Record<string, string> = {};
  if (!s) {
    if (!ctx.config.GUEST_SESSIONS) throw new HttpError(401, 'not_signed_in', 'Sign in to play here.');
    const made = await ctx.sessions.create({ kind: 'guest', playerId: newGuestId(), name: name ?? `guest-${Math.floor(1000 + Math.random() * 9000)}` });
    s = made.session;
    headers['set-cookie'] = newSessionCookie(ctx, made.secret);
  } else if (s.kind === 'guest' && name && name !== s.name) {
    s = await ctx.sessions.rename(s, name);
  }
  const ttl = ctx.config.SOCKET_TOKEN_TTL_SECONDS;
  const token = await ctx.tokens.sign({ playerId: s.playerId, name: s.name, kind: s.kind, sid: s.handle }, ttl);
  json(res, 200, { kind: s.kind, playerId: s.playerId, name: s.name, token, expiresAt: Date.now() + ttl * 1000 }, headers);
}

async function currentUser(ctx: Ctx, req: IncomingMessage): Promise<User> {
  const s = await userSession(ctx, req);
  const user = await ctx.users.get(s.playerId);
  if (!user) throw new HttpError(401, 'not_signed_in', 'This account no longer exists.');
  return user;
}

const view = (u: User) => ({
  playerId: u.playerId, username: u.username, email: u.email, createdAt: u.createdAt, usernameChangedAt: u.usernameChangedAt, provider: u.issuer,
});

export async function getAccount(ctx: Ctx, req: IncomingMessage, res: ServerResponse): Promise<void> {
  json(res, 200, view(await currentUser(ctx, req)));
}

export async function renameAccount(ctx: Ctx, req: IncomingMessage, res: ServerResponse): Promise<void> {
  requireSameSite(ctx, req);
  const user = await currentUser(ctx, req);
  const { username } = await body(req, renameBody);
  const problem = usernameProblem(username);
  if (problem) throw new HttpError(400, 'bad_username', problem);
  const { outcome, user: next } = await ctx.users.rename(user, username);
  if (outcome === 'taken') throw new HttpError(409, 'username_taken', `The name ${username} is taken. Try another.`);
  if (outcome === 'changed') throw new HttpError(409, 'changed_meanwhile', 'Your username was changed meanwhile. Reload and try again.');
  await ctx.sessions.renameAll(user.playerId, next.username);
  ctx.log.info({ playerId: user.playerId }, 'username changed');
  json(res, 200, view(next));
}

/** Everything stored about the caller, as a file: the account, stats and every finished game. */
export async function exportAccount(ctx: Ctx, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const user = await currentUser(ctx, req);
  const gone = new AbortController();
  res.once('close', () => gone.abort()); // the browser (or the gateway's timeout) gave up: stop fetching
  const [stats, games, sessions] = await Promise.all([
    ctx.games.stats(user.playerId), ctx.games.all(user.playerId, gone.signal), ctx.sessions.list(user.playerId),
  ]);
  json(res, 200, exportDocument({ user, sessions, stats, games, now: Date.now() }), {
    'content-disposition': `attachment; filename="gambit-${user.username}.json"`,
  });
}

/**
 * Deletes the account: the rewrite of its games is queued first (durable), so a crash after it
 * leaves an account the player can delete again, never games that keep a deleted player's name.
 */
export async function deleteAccount(ctx: Ctx, req: IncomingMessage, res: ServerResponse): Promise<void> {
  requireSameSite(ctx, req);
  const user = await currentUser(ctx, req);
  const { confirm } = await body(req, deleteBody);
  if (usernameKey(confirm.trim()) !== usernameKey(user.username)) {
    throw new HttpError(400, 'confirm_mismatch', `Type your username, ${user.username}, to confirm.`);
  }
  await ctx.jobs.erase(user.playerId, newTombstone());
  await ctx.users.delete(user);
  await ctx.friends.forget(user.playerId);
  await ctx.sessions.endAll(user.playerId);
  await ctx.sessions.forget(user.playerId);
  ctx.log.info({ playerId: user.playerId }, 'account deleted');
  res.writeHead(204, { 'set-cookie': noSessionCookie(ctx), 'cache-control': 'no-store' });
  res.end();
}

/** GET /api/users/:name: a player page's header (public). */
export async function lookup(ctx: Ctx, res: ServerResponse, name: string): Promise<void> {
  if (usernameProblem(name)) throw new HttpError(404, 'not_found', `No player is called ${name}.`);
  const user = await ctx.users.byUsername(name);
  if (!user) throw new HttpError(404, 'not_found', `No player is called ${name}.`);
  const presence = await ctx.sessions.presence(user.playerId);
  json(res, 200, { playerId: user.playerId, username: user.username, createdAt: user.createdAt, ...presence });
}
