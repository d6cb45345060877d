// A signed-in player's friends: the list (friends with their presence, requests both ways, the
// players they blocked) and one route for every change, by the other player's username. Blocked
// players are told "cannot", never that they are blocked.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import { usernameProblem } from '@gambit/protocol';
import { FRIEND_ACTIONS, type FriendError } from '../rules/friends.js';
import { requireSameSite, userSession, type Ctx } from './context.js';
import { HttpError, body, json } from './respond.js';

const actionBody = z.object({ action: z.enum(FRIEND_ACTIONS) }).strict();

const REFUSED: Record<FriendError, [number, string]> = {
  cannot_befriend: [403, 'You cannot send this player a friend request.'],
  already_friends: [409, 'You are friends already.'],
  already_requested: [409, 'You asked already: wait for an answer.'],
  no_request: [409, 'There is no friend request from this player.'],
  not_friends: [409, 'You are not friends.'],
  not_blocked: [409, 'You have not blocked this player.'],
};

/** GET /api/friends */
export async function listFriends(ctx: Ctx, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const s = await userSession(ctx, req);
  const all = await ctx.friends.list(s.playerId);
  await ctx.friends.mirrorAll(s.playerId, all);
  const rows = all.slice(0, 500);
  // Two reads for the whole list, not two per row: the accounts in one batch, friends' presence in one pipeline.
  const [users, online] = await Promise.all([ctx.users.many(rows.map((r) => r.otherId)), ctx.sessions.online(rows.filter((r) => r.rel === 'friend').map((r) => r.otherId))]);
  const known = rows.flatMap((r) => {
    const user = users.get(r.otherId);
    return user ? [{ row: r, view: { playerId: r.otherId, username: user.username, since: r.since, ...(r.rel === 'friend' ? { online: online.has(r.otherId) } : {}) } }] : [];
  });
  const byName = (a: { username: string }, b: { username: string }) => a.username.localeCompare(b.username);
  json(res, 200, {
    friends: known.filter((p) => p.row.rel === 'friend').map((p) => p.view).sort(byName),
    incoming: known.filter((p) => p.row.rel === 'received').map((p) => p.view).sort(byName),
    outgoing: known.filter((p) => p.row.rel === 'sent').map((p) => p.view).sort(byName),
    blocked: known.filter((p) => p.row.blocks).map((p) => p.view).sort(byName),
  });
}

/** POST /api/friends/:username {action}: request, accept, decline, remove, block or unblock. */
export async function changeFriend(ctx: Ctx, req: IncomingMessage, res: ServerResponse, username: string): Promise<void> {
  requireSameSite(ctx, req);
  const s = await userSession(ctx, req);
  const { action } = await body(req, actionBody);
  const other = usernameProblem(username) ? null : await ctx.users.byUsername(username);
  if (!other) throw new HttpError(404, 'not_found', `No player is called ${username}.`);
  if (other.playerId === s.playerId) throw new HttpError(400, 'yourself', 'That is you.');
  const out = await ctx.friends.act(s.playerId, other.playerId, action);
  if ('error' in out) {
    const [status, message] = REFUSED[out.error];
    throw new HttpError(status, out.error, message);
  }
  // What the caller did, never whether the other blocked them.
  json(res, 200, { username: other.username, ...(out.mine?.rel ? { rel: out.mine.rel } : {}), ...(out.mine?.blocks ? { blocks: true } : {}) });
}
