// Accounts settings, all from environment variables (docs/accounts.md lists them). A bad one stops
// the process at start with a message naming it.
import { z } from 'zod';
import { commonConfig, env, isOrigin, loadConfig } from '@gambit/common';

const tableName = (def: string) =>
  z.string().regex(/^[A-Za-z0-9_.-]{3,255}$/, 'a DynamoDB table name: 3-255 characters from A-Z a-z 0-9 _ . -').default(def);

export const accountsSchema = z.object({
  ...commonConfig,
  PORT: env.port(8070),
  HOST: env.str('0.0.0.0'),
  /** The site as players reach it (the gateway's public origin): redirect URIs, cookies (Secure under https), Origin checks. */
  PUBLIC_URL: z.url(),
  /**
   * Origins the page is served from besides PUBLIC_URL (a CDN: docs/client.md, "The server's origin"),
   * comma-separated: their state-changing requests are accepted like the site's own, a sign-in may
   * return to them, and the first is the page's home (where sign-out and a cancelled sign-in land).
   * Empty: the page is on PUBLIC_URL.
   */
  PAGE_ORIGINS: z.string().optional().transform((v, ctx) => {
    const list = v ? v.split(',').map((o) => o.trim()).filter(Boolean) : [];
    for (const o of list) {
      if (!isOrigin(o)) ctx.addIssue({ code: 'custom', message: `${o} is not an origin: scheme://host[:port] (e.g. https://chess.example.com, no path or trailing slash)` });
    }
    return list;
  }),
  /**
   * SameSite of the session cookie: lax (default) keeps it off cross-site requests, which is right
   * when the page is on the same site as PUBLIC_URL (the same origin, or api.example.com beside
   * chess.example.com). none sends it to a page on another site too (needs an https PUBLIC_URL: None
   * cookies must be Secure), where browsers that block third-party cookies still drop it.
   */
  SESSION_SAMESITE: z.enum(['lax', 'none']).default('lax'),
  /** The OpenID Provider: Cognito (https://cognito-idp.REGION.amazonaws.com/POOL), the embedded one, Auth0, Keycloak... */
  OIDC_ISSUER: z.url(),
  OIDC_CLIENT_ID: z.string().min(1),
  /** From a Secret. */
  OIDC_CLIENT_SECRET: z.string().min(1),
  OIDC_SCOPES: env.str('openid profile email'),
  /** /auth/signup asks for the provider's sign-up page with prompt=create (OpenID Connect Prompt Create 1.0); off for
   * providers that refuse unknown prompts (Cognito: its sign-in page links to sign-up). */
  OIDC_PROMPT_CREATE: env.bool(true),
  /** Providers without end_session_endpoint in discovery (Cognito: https://DOMAIN/logout) get sign-out here. */
  OIDC_END_SESSION_URL: z.url().optional(),
  /** PKCS8 PEM (EC P-256 or Ed25519): the gateway's TOKEN_SIGNING_KEY, so the gateway accepts the socket tokens signed here. */
  TOKEN_SIGNING_KEY: z.string().transform((v) => v.replace(/\\n/g, '\n'))
    .refine((v) => v.includes('-----BEGIN PRIVATE KEY-----'), 'must be a PEM block (-----BEGIN PRIVATE KEY-----)'),
  /** Life of a socket token: long enough to open a socket, short enough to be worthless when leaked. */
  SOCKET_TOKEN_TTL_SECONDS: env.int(300, 30, 3600),
  /** A browser session lives this long after its last use (sliding). */
  SESSION_TTL_DAYS: env.int(30, 1, 365),
  /** Guests get a session too (a guest identity shared by the browser's tabs). */
  GUEST_SESSIONS: env.bool(true),
  /** A username given up (changed or deleted) is held this long before anyone else may take it. */
  USERNAME_HOLD_DAYS: env.int(30, 0, 3650),
  /** The finalizer's read API (stats and games, for the export). */
  FINALIZER_URL: z.url(),
  DYNAMODB_ENDPOINT: z.url().optional(),
  AWS_REGION: env.str('us-east-1'),
  USERS_TABLE: tableName('gambit-users'),
  USERNAMES_TABLE: tableName('gambit-usernames'),
  FRIENDS_TABLE: tableName('gambit-friends'),
  /** Create missing tables at start: development and tests; production tables come from infrastructure. */
  CREATE_TABLES: env.bool(false),
  /** Only for a local provider at http:// (make dev, tests). */
  OIDC_ALLOW_HTTP: env.bool(false),
}).superRefine((c, ctx) => {
  if (c.SESSION_SAMESITE === 'none' && new URL(c.PUBLIC_URL).protocol !== 'https:') {
    ctx.addIssue({ code: 'custom', path: ['SESSION_SAMESITE'], message: 'none needs an https PUBLIC_URL: browsers take SameSite=None cookies only when Secure' });
  }
});

export type AccountsConfig = z.infer<typeof accountsSchema>;

export const loadAccountsConfig = (source: NodeJS.ProcessEnv = process.env): AccountsConfig => loadConfig(accountsSchema, source);
