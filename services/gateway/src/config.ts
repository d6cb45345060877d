import { z } from 'zod';
import { commonConfig, env, loadConfig } from '@gambit/common';

export const gatewayConfigSchema = z.object({
  ...commonConfig,
  PORT: env.port(8080),
  HOST: env.str('0.0.0.0'),
  /** HS256 key for guest tokens; `make dev` generates one and says so. */
  TOKEN_SECRET: z.string().min(32, 'must be at least 32 characters'),
  TOKEN_TTL_SECONDS: env.int(30 * 24 * 3600, 60),
  HELLO_TIMEOUT_MS: env.int(5_000, 100),
  /** Token bucket per socket: frames per second and burst. */
  RATE_PER_SEC: env.int(20, 1),
  RATE_BURST: env.int(40, 1),
  /** Frames refused past the limit before the socket is closed with 4429. */
  RATE_STRIKES: env.int(20, 1),
  HEARTBEAT_MS: env.int(15_000, 100),
  /** SIGTERM: sockets are closed (1012) spread over this window, then the process exits. */
  DRAIN_MS: env.int(10_000, 0),
  /** Folder of the built browser client to serve (development); empty: serve none. */
  WEB_ROOT: z.string().optional(),
  /** The finalizer's read API, proxied under /api/games and /api/players; empty: not proxied. */
  FINALIZER_URL: z.url().optional(),
  GATEWAY_ID: z.string().regex(/^[A-Za-z0-9._-]{1,64}$/).optional(),
  /** Per-message compression costs CPU and memory per socket; off unless asked for. */
  WS_COMPRESSION: env.bool(false),
});
export type GatewayConfig = z.infer<typeof gatewayConfigSchema>;
export const loadGatewayConfig = (e: NodeJS.ProcessEnv = process.env) => loadConfig(gatewayConfigSchema, e);
