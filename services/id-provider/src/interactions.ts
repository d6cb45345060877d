// The interaction routes: oidc-provider sends a browser to /interaction/<uid> when an authorization
// request needs the player (the login prompt, or prompt=create); these pages sign them in or up and
// hand the result back with interactionFinished, which returns them into the same request.
//   GET  /interaction/<uid>          the page the prompt asks for (sign-in, or sign-up for create)
//   GET  /interaction/<uid>/login    the sign-in page      POST: sign in
//   GET  /interaction/<uid>/signup   the sign-up page      POST: create the account and sign in
// Forgery: the interaction is found by its cookie (SameSite=Lax, path-scoped to the uid), must match
// the uid in the path, and each form carries a token bound to that uid by HMAC with the cookie key.
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type Provider from 'oidc-provider';
import type { Interaction } from 'oidc-provider';
import type { Logger } from '@gambit/common';
import type { AccountStore } from './store/accounts.js';
import type { LoginLimiter } from './store/limiter.js';
import { decoyHash, hashPassword, needsRehash, verifyPassword } from './password.js';
import { USERNAME_TAKEN, WRONG_CREDENTIALS, retryMessage, signUpProblem } from './rules.js';
import { messagePage, signInPage, signUpPage } from './pages.js';
import { BadForm, clientAddress, readForm, sendHtml } from './http.js';

export interface InteractionDeps {
  provider: Provider;
  accounts: AccountStore;
  limiter: LoginLimiter;
  log: Logger;
  /** COOKIE_KEYS: the first makes form tokens, any of them is accepted (rotation). */
  keys: string[];
  trustProxy: boolean;
}

const ROUTE = /^\/interaction\/([A-Za-z0-9_-]{1,64})(?:\/(login|signup))?$/;

const EXPIRED = messagePage('Sign-in expired', 'This sign-in page has expired or was opened in another browser. Go back to Gambit and sign in again.');

/** Handles the request when it is an interaction route; false when it is not one. */
export function interactionRoutes(deps: InteractionDeps) {
  const { provider, accounts, limiter, log } = deps;
  const token = (uid: string, key = deps.keys[0]!) => createHmac('sha256', key).update(`interaction-form:${uid}`).digest('base64url');
  const tokenOk = (uid: string, given: string) => deps.keys.some((key) => {
    const want = Buffer.from(token(uid, key));
    const got = Buffer.from(given);
    return want.length === got.length && timingSafeEqual(want, got);
  });
  const paths = (uid: string) => ({ login: `/interaction/${uid}/login`, signup: `/interaction/${uid}/signup` });
  const showSignIn = (res: ServerResponse, status: number, uid: string, view: { username?: string; error?: string } = {}) =>
    sendHtml(res, status, signInPage({ action: paths(uid).login, signUpHref: paths(uid).signup, csrf: token(uid), ...view }));
  const showSignUp = (res: ServerResponse, status: number, uid: string, view: { username?: string; email?: string; error?: string } = {}) =>
    sendHtml(res, status, signUpPage({ action: paths(uid).signup, signInHref: paths(uid).login, csrf: token(uid), ...view }));

  /** Signs `sub` in: the result resolves the login prompt, and prompt=create when that was asked. */
  const finish = (req: IncomingMessage, res: ServerResponse, interaction: Interaction, sub: string) =>
    provider.interactionFinished(req, res, {
      login: { accountId: sub },
      ...(interaction.prompt.name === 'create' ? { create: {} } : {}),
    }, { mergeWithLastSubmission: false });

  async function signIn(req: IncomingMessage, res: ServerResponse, interaction: Interaction, form: URLSearchParams) {
    const uid = interaction.uid;
    const username = (form.get('username') ?? '').trim();
    const password = form.get('password') ?? '';
    if (!username || !password) return showSignIn(res, 400, uid, { username, error: 'Enter your username and password.' });
    const address = clientAddress(req, deps.trustProxy);
    const wait = await limiter.blocked(username, address);
    if (wait > 0) return showSignIn(res, 429, uid, { username, error: retryMessage(wait) });
    const account = await accounts.byUsername(username);
    // An unknown name costs the same scrypt work as a wrong password: the timing tells nothing.
    const ok = await verifyPassword(password, account?.passwordHash ?? await decoyHash());
    if (!account || !ok) {
      await limiter.failed(username, address);
      log.info({ username, address }, 'sign-in refused');
      return showSignIn(res, 400, uid, { username, error: WRONG_CREDENTIALS });
    }
    await limiter.succeeded(username);
    if (needsRehash(account.passwordHash)) await accounts.setPasswordHash(account.sub, await hashPassword(password));
    log.info({ sub: account.sub, username: account.username }, 'signed in');
    await finish(req, res, interaction, account.sub);
  }

  async function signUp(req: IncomingMessage, res: ServerResponse, interaction: Interaction, form: URLSearchParams) {
    const uid = interaction.uid;
    const fields = { username: (form.get('username') ?? '').trim(), password: form.get('password') ?? '', email: (form.get('email') ?? '').trim() };
    const again = { username: fields.username, email: fields.email };
    const problem = signUpProblem(fields);
    if (problem) return showSignUp(res, 400, uid, { ...again, error: problem });
    if (await accounts.byUsername(fields.username)) return showSignUp(res, 409, uid, { ...again, error: USERNAME_TAKEN });
    // The check above spares a hash in the common case; the claim inside create() is what decides.
    const account = await accounts.create(fields.username, await hashPassword(fields.password), fields.email || null);
    if (!account) return showSignUp(res, 409, uid, { ...again, error: USERNAME_TAKEN });
    log.info({ sub: account.sub, username: account.username }, 'signed up');
    await finish(req, res, interaction, account.sub);
  }

  return async (req: IncomingMessage, res: ServerResponse): Promise<boolean> => {
    const match = ROUTE.exec((req.url ?? '').split('?')[0]!);
    if (!match) return false;
    const [, uid, page] = match as unknown as [string, string, 'login' | 'signup' | undefined];
    let interaction: Interaction;
    try {
      interaction = await provider.interactionDetails(req, res);
    } catch {
      sendHtml(res, 400, EXPIRED);
      return true;
    }
    if (interaction.uid !== uid) {
      sendHtml(res, 400, EXPIRED);
      return true;
    }
    if (req.method === 'GET') {
      const wanted = page ?? (interaction.prompt.name === 'create' ? 'signup' : 'login');
      if (interaction.prompt.name !== 'login' && interaction.prompt.name !== 'create') {
        // Consent is implied for the one client (provider.ts); any other prompt is a setup mistake.
        log.error({ prompt: interaction.prompt }, 'unexpected interaction prompt');
        sendHtml(res, 500, messagePage('Something went wrong', 'This sign-in cannot continue. Go back to Gambit and try again.'));
      } else if (wanted === 'signup') showSignUp(res, 200, uid);
      else showSignIn(res, 200, uid);
      return true;
    }
    if (req.method !== 'POST' || !page) {
      res.writeHead(405, { allow: page ? 'GET, POST' : 'GET' }).end();
      return true;
    }
    let form: URLSearchParams;
    try {
      form = await readForm(req);
    } catch (err) {
      if (!(err instanceof BadForm)) throw err;
      sendHtml(res, 400, messagePage('Bad request', err.message));
      return true;
    }
    if (!tokenOk(uid, form.get('csrf') ?? '')) {
      sendHtml(res, 403, EXPIRED);
      return true;
    }
    await (page === 'login' ? signIn : signUp)(req, res, interaction, form);
    return true;
  };
}
