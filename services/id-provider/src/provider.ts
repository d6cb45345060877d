// oidc-provider set up for Gambit: one confidential first-party client (the accounts service) using
// authorization code + PKCE (S256), ID tokens signed with SIGNING_KEY, state in Redis, accounts from
// the AccountStore. Its development pages are off: our own interaction pages (interactions.ts)
// sign players in and up, consent is implied for the one client, and a valid RP-initiated
// logout goes through without a confirmation page.
import { randomBytes } from 'node:crypto';
import Provider, { interactionPolicy, type KoaContextWithOIDC } from 'oidc-provider';
import type { RedisClient } from '@gambit/common';
import type { Logger } from '@gambit/common';
import type { IdProviderConfig } from './config.js';
import type { AccountStore } from './store/accounts.js';
import type { IdpKeys } from './store/keys.js';
import { redisAdapterFactory } from './store/oidc-adapter.js';
import { signingJwk } from './signing-key.js';
import { messagePage, signOutPage } from './pages.js';
import { PAGE_HEADERS } from './http.js';

/** The scopes the first-party client is granted without asking. */
export const FIRST_PARTY_SCOPE = 'openid profile email';

export interface ProviderDeps { redis: RedisClient; keys: IdpKeys; accounts: AccountStore; log: Logger }

const day = 24 * 3600;

export function createProvider(config: IdProviderConfig, deps: ProviderDeps): Provider {
  const jwk = signingJwk(config.SIGNING_KEY);

  // prompt=create (OpenID Connect Prompt Create 1.0): the RP's /auth/signup opens the sign-up page.
  // Requestable, it is pending only when asked for; a finished sign-up resolves it.
  const policy = interactionPolicy.base();
  policy.add(new interactionPolicy.Prompt({ name: 'create', requestable: true }), 0);

  const sendPage = (ctx: KoaContextWithOIDC, html: string, headers: Record<string, string> = PAGE_HEADERS) => {
    for (const [name, value] of Object.entries(headers)) ctx.set(name, value);
    ctx.type = 'html';
    ctx.body = html;
  };

  const provider = new Provider(config.ISSUER, {
    adapter: redisAdapterFactory(deps.redis, deps.keys),
    clients: [{
      client_id: config.CLIENT_ID,
      client_secret: config.CLIENT_SECRET,
      redirect_uris: config.REDIRECT_URIS,
      post_logout_redirect_uris: config.POST_LOGOUT_REDIRECT_URIS,
      grant_types: ['authorization_code'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_basic',
      id_token_signed_response_alg: jwk.alg,
    }],
    jwks: { keys: [jwk] },
    cookies: { keys: config.COOKIE_KEYS },
    pkce: { required: () => true },
    responseTypes: ['code'],
    claims: { openid: ['sub'], profile: ['preferred_username'], email: ['email', 'email_verified'] },
    // Scope claims in the ID token too, not only from userinfo: the RP reads the username from it.
    conformIdTokenClaims: false,
    clientBasedCORS: () => false,
    ttl: { AccessToken: 600, AuthorizationCode: 60, IdToken: 3600, Interaction: 3600, Session: 14 * day, Grant: 14 * day },
    interactions: { policy, url: (_ctx: unknown, interaction: { uid: string }) => `/interaction/${interaction.uid}` },
    features: {
      devInteractions: { enabled: false },
      rpInitiatedLogout: {
        enabled: true,
        logoutSource: async (ctx: KoaContextWithOIDC, form: string) => {
          // Self-submitting only for an id_token_hint from the one client about this very session:
          // a bare link elsewhere (someone else's page) still gets the question.
          const { client, session, entities } = ctx.oidc;
          const valid = client !== undefined && session?.accountId !== undefined && entities.IdTokenHint?.payload.sub === session.accountId;
          const nonce = randomBytes(16).toString('base64');
          sendPage(ctx, signOutPage(form, valid ? { nonce } : null), { ...PAGE_HEADERS, 'content-security-policy': `${PAGE_HEADERS['content-security-policy']}; script-src 'nonce-${nonce}'` });
        },
        postLogoutSuccessSource: async (ctx: KoaContextWithOIDC) => sendPage(ctx, messagePage('Signed out', 'You are signed out of Gambit.')),
      },
    },
    findAccount: async (_ctx: unknown, sub: string) => {
      const account = await deps.accounts.bySub(sub);
      if (!account) return undefined;
      return {
        accountId: sub,
        claims: async () => ({
          sub,
          preferred_username: account.username,
          ...(account.email ? { email: account.email, email_verified: false } : {}),
        }),
      };
    },
    // Consent is implied for the first-party client: its grant is made (or topped up) here, so the
    // consent prompt never stops a sign-in.
    loadExistingGrant: async (ctx: KoaContextWithOIDC) => {
      const { client, session, result, provider: p } = ctx.oidc;
      if (!client || !session?.accountId) return undefined;
      const grantId = result?.consent?.grantId ?? session.grantIdFor(client.clientId);
      const found = grantId ? await p.Grant.find(grantId) : undefined;
      const grant = found && found.accountId === session.accountId ? found : new p.Grant({ accountId: session.accountId, clientId: client.clientId });
      grant.addOIDCScope(FIRST_PARTY_SCOPE);
      await grant.save();
      return grant;
    },
    renderError: async (ctx: KoaContextWithOIDC, out: { error?: string; error_description?: string }) => {
      sendPage(ctx, messagePage('Something went wrong', `${out.error_description ?? out.error ?? 'The request could not be handled.'} Go back to Gambit and try again.`));
    },
  });
  provider.proxy = config.TRUST_PROXY;
  provider.on('server_error', (_ctx, err) => deps.log.error({ err }, 'oidc-provider error'));
  return provider;
}
