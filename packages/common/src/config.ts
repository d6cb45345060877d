// Every service reads its settings from environment variables through a zod schema, so a bad
// setting stops the process at start with a message naming the variable.
import { z } from 'zod';
import { MAX_ROOM_SHARDS } from './keys.js';

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Settings whose values are secrets (keys, passwords, client secrets). */
const SECRET_NAME = /SECRET|PASSWORD|PRIVATE|SIGNING_KEY|COOKIE_KEYS/;

export function loadConfig<S extends z.ZodObject>(schema: S, env: NodeJS.ProcessEnv = process.env): z.infer<S> {
  const input: Record<string, string | undefined> = {};
  for (const key of Object.keys(schema.shape)) {
    const value = env[key];
    input[key] = value === '' ? undefined : value;
  }
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const lines = result.error.issues.map((i) => {
    const name = String(i.path[0] ?? '?');
    const value = env[name] ?? '';
    // A secret's value never reaches a log, even a wrong one: only its length.
    const shown = SECRET_NAME.test(name) && value ? `(${value.length} characters, hidden)` : JSON.stringify(value);
    return `  ${name}=${shown}: ${i.message}`;
  });
  throw new ConfigError(`bad configuration:\n${lines.join('\n')}`);
}

/** Helpers for the usual shapes of settings. */
export const env = {
  port: (def: number) => z.coerce.number().int().min(0).max(65535).default(def),
  int: (def: number, min = 0, max = Number.MAX_SAFE_INTEGER) => z.coerce.number().int().min(min).max(max).default(def),
  str: (def: string) => z.string().min(1).default(def),
  url: (def: string) => z.url().default(def),
  bool: (def: boolean) =>
    z.enum(['true', 'false', '1', '0', 'yes', 'no']).default(def ? 'true' : 'false').transform((v) => ['true', '1', 'yes'].includes(v)),
  level: () => z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
};

/**
 * Whether `o` is an origin exactly as browsers send it in an Origin header: http(s)://host[:port],
 * serialized as URL does it (lowercase host, no default port, no path, trailing slash, query or
 * credentials). Anything else would never match a request's Origin.
 */
export function isOrigin(o: string): boolean {
  try {
    const u = new URL(o);
    return (u.protocol === 'https:' || u.protocol === 'http:') && u.origin === o;
  } catch {
    return false;
  }
}

/** Settings every service shares. */
export const commonConfig = {
  /** One Redis, or (REDIS_MODE cluster) a Redis Cluster's startup nodes, comma-separated. */
  REDIS_URL: env.str('redis://127.0.0.1:6379'),
  /** single: one Redis primary (the default; make dev); cluster: a Redis Cluster (docs/redis-cluster.md). */
  REDIS_MODE: z.enum(['single', 'cluster']).default('single'),
  LOG_LEVEL: env.level(),
  /** Prefix of every Redis key, so several stacks (or test runs) can share one Redis. */
  KEY_PREFIX: z.string().regex(/^[a-z0-9:_-]{1,32}$/, 'lowercase letters, digits, : _ -').default('gambit'),
  /**
   * Room shards (docs/redis-cluster.md): the same number in every service of a deployment, fixed
   * for its life (a room's shard is a function of its code). 1 keeps the key names of old.
   */
  ROOM_SHARDS: env.int(1, 1, MAX_ROOM_SHARDS),
};

/**
 * COMMIT_DURABILITY and COMMIT_WAIT_MS, read by the engines and the finalizers alike so that one
 * value sets both (docs/redis-cluster.md, section 4). async: a write is done when the primary has
 * it (a failover can lose the newest). replicated: the engine WAITs for a replica after each
 * commit, the finalizer after each read of finalize entries, up to COMMIT_WAIT_MS; past it each
 * goes on and counts it (gambit_engine_commits_unreplicated_total, gambit_finalizer_reads_unreplicated_total).
 */
export const durabilityConfig = {
  COMMIT_DURABILITY: z.enum(['async', 'replicated']).default('async'),
  COMMIT_WAIT_MS: env.int(250, 1, 10_000),
};
