// Sign-in and sign-out: the browser goes to the provider with a fresh state, PKCE verifier and
// nonce (kept here in Redis, and the state also in a short cookie that binds the sign-in to this
// browser: a callback URL carried to another browser signs nobody in there); the callback trades
// the code for tokens server side and starts a fresh session (a new id: no fixation). Sign-out
// ends the session here at once (its socket tokens stop working) and then at the provider.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { playerIdFor, usernameCandidates } from '../rules/identity.js';
import { cookieValue, safeReturn } from '../rules/web.js';
import { newSessionCookie, noSessionCookie, requireSameSite, sessionOf, type Ctx } from './context.js';
import { HttpError, redirect } from './respond.js';

const SIGN_IN_COOKIE = 'gambit_signin';

export async function startSignIn(ctx: Ctx, req: IncomingMessage, res: ServerResponse, signUp: boolean): Promise<void> {
  const url = new URL(req.url ?? '/', ctx.config.PUBLIC_URL);
  const current = await sessionOf(ctx, req);
  const { url: to, state, verifier, nonce } = await ctx.provider.authorizationUrl({ signUp });
  await ctx.sessions.startSignIn(state, {
    verifier, nonce, returnTo: safeReturn(url.searchParams.get('return'), ctx.config.PAGE_ORIGINS),
    ...(current?.kind === 'guest' ? { guestHandle: current.handle } : {}),
  });
  redirect(res, to.href, { 'set-cookie': signInCookie(state, ctx.secure, 600) });
}

export async function callback(ctx: Ctx, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', ctx.config.PUBLIC_URL);
  const state = url.searchParams.get('state') ?? '';
  if (url.searchParams.get('error')) {
    // The person cancelled or the provider refused: back to the site, nothing changed.
    return redirect(res, `${ctx.home}/`, { 'set-cookie': signInCookie('', ctx.secure, 0) });
  }
  if (!state || cookieValue(req.headers.cookie, SIGN_IN_COOKIE) !== state) {
    throw new HttpError(400, 'bad_sign_in', 'This sign-in was not started in this browser. Sign in again.');
  }
  const started = await ctx.sessions.takeSignIn(state);
  if (!started) throw new HttpError(400, 'bad_sign_in', 'This sign-in link was used already or has expired. Sign in again.');
  let signedIn;
  try {
    signedIn = await ctx.provider.finish(url, { ...started, state });
  } catch (err) {
    ctx.log.warn({ err: String(err) }, 'sign-in refused');
    throw new HttpError(400, 'bad_sign_in', 'The identity provider did not confirm this sign-in. Sign in again.');
  }
  const playerId = playerIdFor(signedIn.issuer, signedIn.sub);
  const email = typeof signedIn.claims.email === 'string' ? signedIn.claims.email : null;
  const user = (await ctx.users.get(playerId))
    ?? (await ctx.users.create({ playerId, email, issuer: signedIn.issuer, sub: signedIn.sub, createdAt: Date.now() }, usernameCandidates(signedIn.claims)));
  const guest = started.guestHandle ? await ctx.sessions.touchHandle(started.guestHandle) : null;
  if (guest?.kind === 'guest') {
    await ctx.jobs.adopt(guest.playerId, user.playerId, user.username);
    await ctx.sessions.end(guest);
    ctx.log.info({ guest: guest.playerId, user: user.playerId }, 'guest signed in: its games are adopted');
  }
  // A browser signing in again (as the same or another account) leaves its previous session behind.
  const previous = await sessionOf(ctx, req);
  if (previous?.kind === 'user') await ctx.sessions.end(previous);
  const { secret } = await ctx.sessions.create({ kind: 'user', playerId: user.playerId, name: user.username, idToken: signedIn.idToken });
  redirect(res, started.returnTo, {
    'set-cookie': [newSessionCookie(ctx, secret), signInCookie('', ctx.secure, 0)],
  });
}

export async function signOut(ctx: Ctx, req: IncomingMessage, res: ServerResponse): Promise<void> {
  requireSameSite(ctx, req);
  const s = await sessionOf(ctx, req);
  if (s) await ctx.sessions.end(s);
  const atProvider = s?.kind === 'user' ? ctx.provider.endSessionUrl(s.idToken) : null;
  redirect(res, atProvider?.href ?? `${ctx.home}/`, { 'set-cookie': noSessionCookie(ctx) }, 303);
}

function signInCookie(state: string, secure: boolean, maxAge: number): string {
  return [`${SIGN_IN_COOKIE}=${state}`, 'Path=/auth', 'HttpOnly', 'SameSite=Lax', `Max-Age=${maxAge}`, ...(secure ? ['Secure'] : [])].join('; ');
}
