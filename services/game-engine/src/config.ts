import { z } from 'zod';
import { commonConfig, durabilityConfig, env, loadConfig } from '@gambit/common';

export const engineConfigSchema = z.object({
  ...commonConfig,
  /** How long a disconnected player keeps the seat (PROTOCOL.md: default 12 s). */
  RECONNECT_GRACE_MS: env.int(12_000, 1_000, 600_000),
  /** Rooms not in play are gone this long after creation or the end of their game. */
  ROOM_TTL_MS: env.int(60 * 60_000, 10_000),
  /** How often each engine looks for passed deadlines (flag falls, graces, expiries). */
  DEADLINE_SCAN_MS: env.int(100, 10, 5_000),
  /** Pending commands of a dead engine are claimed after this idle time. */
  CLAIM_IDLE_MS: env.int(5_000, 100),
  /**
   * The engines split the room shards' command streams (and deadline scans) between them, each
   * room's commands reaching one engine, which then holds its position (docs/architecture.md):
   * each renews a lease this long in `gambit:engines`, and a dead engine's shards pass to the
   * others when its lease runs out. 0, or one room shard: every engine reads every shard (each move
   * may find its room on another engine and replay it: docs/capacity.md).
   */
  SHARD_LEASE_MS: env.int(5_000, 0, 600_000).refine((v) => v === 0 || v >= 300, 'must be 0 (every engine reads every shard) or at least 300'),
  /** How often each engine's matchmaker pairs the players waiting in the quick-pairing pools. */
  PAIRING_ROUND_MS: env.int(200, 20, 10_000),
  ROOM_LOG_CAP: env.int(256, 16, 10_000),
  /**
   * replicated: each commit is followed by WAIT 1 on the same connection (durabilityConfig). Pair
   * it with the gateway's REDIS_EVENTS_URL on a replica, so players see only replicated moves.
   */
  ...durabilityConfig,
  METRICS_PORT: env.port(9101),
  ENGINE_ID: z.string().regex(/^[A-Za-z0-9._-]{1,64}$/).optional(),
});
export type EngineConfig = z.infer<typeof engineConfigSchema>;
export const loadEngineConfig = (e: NodeJS.ProcessEnv = process.env) => loadConfig(engineConfigSchema, e);
