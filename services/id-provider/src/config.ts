// The id-provider's settings, from environment variables through zod: a bad setting stops the
// process at start with a message naming it. It is the OpenID Provider `make dev` and the tests sign
// players in with; production points the accounts service at Cognito or another issuer instead.
// It runs on a single Redis only: REDIS_MODE=cluster is refused.
import { z } from 'zod';
import { ConfigError, commonConfig, env, loadConfig } from '@gambit/common';
import { signingJwk } from './signing-key.js';

/** A comma-separated list, blanks dropped. */
const list = (item: z.ZodType<string, string>) => z.string().optional()
  .transform((v) => (v ? v.split(',').map((s) => s.trim()).filter(Boolean) : []))
  .pipe(z.array(item));

const httpUrl = z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' });

export const idProviderConfigSchema = z.object({
  ...commonConfig,
  PORT: env.port(8090),
  HOST: env.str('0.0.0.0'),
  /** The public base URL players' browsers reach this service at: the `iss` of its tokens. */
  /** Its pages and endpoints live at the root of this origin, so it is an origin without a path. */
  ISSUER: httpUrl.refine((u) => new URL(u).pathname === '/' && !u.includes('?') && !u.includes('#'), 'must be an origin, like http://localhost:8090 (no path, query or fragment)')
    .transform((u) => new URL(u).origin),
  /** The one client: the accounts service (confidential, client_secret_basic). */
  CLIENT_ID: env.str('gambit'),
  CLIENT_SECRET: z.string({ error: 'is required' }).min(32, 'must be at least 32 characters'),
  REDIRECT_URIS: list(httpUrl).refine((l) => l.length > 0, 'needs at least one redirect URI (the accounts /auth/callback)'),
  POST_LOGOUT_REDIRECT_URIS: list(httpUrl),
  /** Keys signing the provider's cookies; the first signs, all verify (rotation). */
  COOKIE_KEYS: list(z.string().min(32, 'each key must be at least 32 characters'))
    .refine((l) => l.length > 0, 'needs at least one key of at least 32 characters'),
  /** PKCS8 PEM private key signing ID tokens: EC P-256 (ES256) or RSA (RS256); \n escapes allowed. */
  SIGNING_KEY: z.string({ error: 'is required (a PKCS8 PEM private key)' })
    .transform((v) => v.replace(/\\n/g, '\n'))
    .superRefine((pem, ctx) => {
      try {
        signingJwk(pem);
      } catch (err) {
        ctx.addIssue({ code: 'custom', message: (err as Error).message });
      }
    }),
  /** Failed sign-ins allowed per username, and per client address, within LOGIN_WINDOW_SECONDS. */
  LOGIN_FAILURES_PER_ACCOUNT: env.int(5, 1),
  LOGIN_FAILURES_PER_ADDRESS: env.int(30, 1),
  LOGIN_WINDOW_SECONDS: env.int(900, 1),
  /** Behind a reverse proxy: take the client address from X-Forwarded-For (its last entry). */
  TRUST_PROXY: env.bool(false),
}).superRefine((c, ctx) => {
  // Its keys carry no hash tags and its scripts and MULTIs span several: a single Redis only.
  if (c.REDIS_MODE === 'cluster') {
    ctx.addIssue({ code: 'custom', path: ['REDIS_MODE'], message: 'the id-provider (the local OpenID provider of make dev and the tests) runs on a single Redis only: set REDIS_MODE=single and REDIS_URL to one Redis, or use Cognito or another issuer beside a Redis Cluster' });
  }
});
export type IdProviderConfig = z.infer<typeof idProviderConfigSchema>;

/** Settings whose values must not reach a log, even when they are wrong. */
const SECRETS = ['CLIENT_SECRET', 'COOKIE_KEYS', 'SIGNING_KEY'] as const;

export function loadIdProviderConfig(e: NodeJS.ProcessEnv = process.env): IdProviderConfig {
  try {
    return loadConfig(idProviderConfigSchema, e);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    // loadConfig quotes each bad value; a secret's is replaced by its length.
    let message = err.message;
    for (const name of SECRETS) {
      const value = e[name];
      if (value) message = message.split(`${name}=${JSON.stringify(value)}`).join(`${name}=(${value.length} characters, hidden)`);
    }
    throw new ConfigError(message);
  }
}
