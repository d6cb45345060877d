import { z } from 'zod';
import { commonConfig, env, isOrigin, loadConfig } from '@gambit/common';

/** A PEM block of the given kind, from the variable itself (\n escapes allowed). */
const pem = (kind: string) => z.string().optional()
  .transform((v) => v?.replace(/\\n/g, '\n'))
  .refine((v) => v === undefined || v.includes(`-----BEGIN ${kind}-----`), `must be a PEM block (-----BEGIN ${kind}-----)`);

export const gatewayConfigSchema = z.object({
  ...commonConfig,
  /**
   * Where the gateway reads its event streams (read only): a replica of REDIS_URL's primary, with
   * the engines' COMMIT_DURABILITY=replicated, so a player is shown only moves a failover keeps
   * (docs/redis-cluster.md, section 4). Empty: REDIS_URL.
   */
  REDIS_EVENTS_URL: z.string().regex(/^rediss?:\/\//, 'a redis:// or rediss:// URL').optional(),
  /** The same on a Redis Cluster (REDIS_MODE=cluster): each event stream read from a replica of its primary. */
  REDIS_EVENTS_FROM_REPLICAS: env.bool(false),
  PORT: env.port(8080),
  HOST: env.str('0.0.0.0'),
  /** Guest tokens: `POST /api/guest` issues them; off when only OIDC sign-in is wanted. */
  GUEST_TOKENS: env.bool(true),
  /** PKCS8 PEM (EC P-256 or Ed25519) signing guest tokens; from a Secret. `make dev` generates one. */
  TOKEN_SIGNING_KEY: pem('PRIVATE KEY'),
  /** Older public keys (SPKI PEMs, one after another) still accepted while their tokens live: rotation. */
  TOKEN_VERIFY_KEYS: pem('PUBLIC KEY'),
  /** Instead of a key pair: an HS256 shared secret (one gateway, development). */
  TOKEN_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  TOKEN_TTL_SECONDS: env.int(30 * 24 * 3600, 60),
  /** OIDC sign-in (e.g. Amazon Cognito: https://cognito-idp.REGION.amazonaws.com/POOL_ID). */
  OIDC_ISSUER: z.url().optional(),
  /** The app client id: `aud` of ID tokens, `client_id` of Cognito access tokens. */
  OIDC_AUDIENCE: z.string().min(1).optional(),
  /** Default: ISSUER/.well-known/jwks.json (Cognito's). */
  OIDC_JWKS_URL: z.url().optional(),
  /** Least time between JWKS refetches; an unknown `kid` refetches after it (key rotation). */
  OIDC_JWKS_COOLDOWN_MS: env.int(30_000, 0),
  /** Cognito `token_use` to accept: id or access; unset: not checked. */
  OIDC_TOKEN_USE: z.enum(['id', 'access']).optional(),
  /**
   * Browser origins allowed to open /ws (comma-separated, e.g. https://chess.example.com); empty: any.
   * Pages on these origins may also call /api/* and /auth/* from another origin (CORS with
   * credentials: http/cors.ts); empty: no other origin may.
   */
  ALLOWED_ORIGINS: z.string().optional().transform((v) => (v ? v.split(',').map((o) => o.trim()).filter(Boolean) : [])),
  /** Per-address limits count CloudFront's CloudFront-Viewer-Address, not the connection's (http/client-address.ts): only when nothing but CloudFront reaches the gateway. */
  TRUST_CLOUDFRONT_VIEWER_ADDRESS: env.bool(false),
  /** Open sockets allowed from one IP address. */
  MAX_CONNECTIONS_PER_IP: env.int(100, 1),
  /** join/watch frames allowed per IP address per minute (room-code scanning). */
  JOIN_RATE_PER_MIN: env.int(60, 1),
  HELLO_TIMEOUT_MS: env.int(5_000, 100),
  /** Token bucket per socket: frames per second and burst. */
  RATE_PER_SEC: env.int(20, 1),
  RATE_BURST: env.int(40, 1),
  /** Frames refused past the limit before the socket is closed with 4429. */
  RATE_STRIKES: env.int(20, 1),
  HEARTBEAT_MS: env.int(15_000, 100),
  /** TURN servers for video calls (comma-separated turn:/turns: URLs) and the secret coturn shares (use-auth-secret); empty: no TURN. */
  TURN_URLS: z.string().optional().transform((v) => (v ? v.split(',').map((u) => u.trim()).filter(Boolean) : [])),
  TURN_SECRET: z.string().min(16, 'TURN_SECRET must be at least 16 characters').optional(),
  /** How long a player's TURN credentials last (coturn refuses them after). */
  TURN_TTL_SECONDS: env.int(6 * 3600, 60, 7 * 24 * 3600),
  /** STUN servers (comma-separated stun: URLs), handed out without credentials; empty: none. */
  STUN_URLS: z.string().optional().transform((v) => (v ? v.split(',').map((u) => u.trim()).filter(Boolean) : [])),
  /** Words masked in chat lines (comma-separated; whole words, any case); empty: none. */
  CHAT_WORD_FILTER: z.string().optional().transform((v) => (v ? v.split(',').map((w) => w.trim()).filter(Boolean) : [])),
  /** How often friends' presence is looked at for the sockets that follow it (ws/presence.ts). */
  PRESENCE_POLL_MS: env.int(2_000, 100),
  /** SIGTERM: sockets are closed (1012) spread over this window, then the process exits. */
  DRAIN_MS: env.int(10_000, 0),
  /** Folder of the built browser client to serve (development); empty: serve none. */
  WEB_ROOT: z.string().optional(),
  /** The finalizer's read API, proxied under /api/games and /api/players; empty: not proxied. */
  FINALIZER_URL: z.url().optional(),
  /** The accounts service, proxied under /auth/*, /api/session, /api/account* and /api/users/*; empty: not proxied. */
  ACCOUNTS_URL: z.url().optional(),
  GATEWAY_ID: z.string().regex(/^[A-Za-z0-9._-]{1,64}$/).optional(),
  /** Per-message compression costs CPU and memory per socket; off unless asked for. */
  WS_COMPRESSION: env.bool(false),
}).superRefine((c, ctx) => {
  if (c.TURN_URLS.length && !c.TURN_SECRET) {
    ctx.addIssue({ code: 'custom', path: ['TURN_SECRET'], message: 'TURN_URLS needs TURN_SECRET: the static-auth-secret of the TURN server' });
  }
  for (const u of c.TURN_URLS) if (!/^turns?:/.test(u)) ctx.addIssue({ code: 'custom', path: ['TURN_URLS'], message: `${u} is not a turn: or turns: URL` });
  for (const u of c.STUN_URLS) if (!/^stuns?:/.test(u)) ctx.addIssue({ code: 'custom', path: ['STUN_URLS'], message: `${u} is not a stun: URL` });
  // Browsers send Origin as scheme://host[:port]: anything else (a trailing slash, a path) would never match.
  for (const o of c.ALLOWED_ORIGINS) {
    if (!isOrigin(o)) ctx.addIssue({ code: 'custom', path: ['ALLOWED_ORIGINS'], message: `${o} is not an origin: scheme://host[:port] as browsers send it (e.g. https://chess.example.com, no path or trailing slash)` });
  }
  if (c.GUEST_TOKENS && !c.TOKEN_SIGNING_KEY && !c.TOKEN_SECRET) {
    ctx.addIssue({ code: 'custom', path: ['TOKEN_SIGNING_KEY'], message: 'guest tokens need TOKEN_SIGNING_KEY (or TOKEN_SECRET); or set GUEST_TOKENS=false with OIDC' });
  } else if (c.ACCOUNTS_URL && !c.TOKEN_SIGNING_KEY) {
    ctx.addIssue({ code: 'custom', path: ['TOKEN_SIGNING_KEY'], message: 'ACCOUNTS_URL needs TOKEN_SIGNING_KEY: the key (same Secret) the accounts service signs socket tokens with' });
  }
  if (c.TOKEN_SIGNING_KEY && c.TOKEN_SECRET) ctx.addIssue({ code: 'custom', path: ['TOKEN_SECRET'], message: 'set TOKEN_SIGNING_KEY or TOKEN_SECRET, not both' });
  if (Boolean(c.OIDC_ISSUER) !== Boolean(c.OIDC_AUDIENCE)) ctx.addIssue({ code: 'custom', path: [c.OIDC_ISSUER ? 'OIDC_AUDIENCE' : 'OIDC_ISSUER'], message: 'OIDC needs both OIDC_ISSUER and OIDC_AUDIENCE' });
  // On a Cluster the replicas are the cluster's own (reads from them: a later change); the URL names one server.
  if (c.REDIS_EVENTS_URL && c.REDIS_MODE === 'cluster') ctx.addIssue({ code: 'custom', path: ['REDIS_EVENTS_URL'], message: 'is for a single Redis with a replica; with REDIS_MODE=cluster use REDIS_EVENTS_FROM_REPLICAS=true' });
  if (c.REDIS_EVENTS_FROM_REPLICAS && c.REDIS_MODE !== 'cluster') ctx.addIssue({ code: 'custom', path: ['REDIS_EVENTS_FROM_REPLICAS'], message: 'is for a Redis Cluster (REDIS_MODE=cluster); with one primary set REDIS_EVENTS_URL to its replica' });
  if (!c.GUEST_TOKENS && !c.OIDC_ISSUER && !c.ACCOUNTS_URL) ctx.addIssue({ code: 'custom', path: ['GUEST_TOKENS'], message: 'with guest tokens off, OIDC_ISSUER or ACCOUNTS_URL must be set: nobody could sign in' });
});

export type GatewayConfig = z.infer<typeof gatewayConfigSchema>;
export const loadGatewayConfig = (e: NodeJS.ProcessEnv = process.env) => loadConfig(gatewayConfigSchema, e);
