// Finalizer settings, all from environment variables (documented in docs/data-model.md).
import { z } from 'zod';
import { commonConfig, durabilityConfig, env, loadConfig } from '@gambit/common';

const tableName = (def: string) =>
  z.string().regex(/^[A-Za-z0-9_.-]{3,255}$/, 'a DynamoDB table name: 3-255 characters from A-Z a-z 0-9 _ . -').default(def);

export const finalizerSchema = z.object({
  ...commonConfig,
  /** A local DynamoDB API such as dynalite (http://127.0.0.1:8000); unset means real AWS. */
  DYNAMODB_ENDPOINT: z.url().optional(),
  AWS_REGION: env.str('us-east-1'),
  GAMES_TABLE: tableName('gambit-games'),
  PLAYERS_TABLE: tableName('gambit-players'),
  /** Create missing tables at start: for development and tests; production tables come from infrastructure. */
  CREATE_TABLES: env.bool(false),
  FINALIZER_HTTP_PORT: env.port(8082),
  FINALIZE_MAX_ATTEMPTS: env.int(5, 1, 20),
  FINALIZE_BACKOFF_BASE_MS: env.int(250, 1, 60_000),
  /** A pending entry idle this long belongs to a dead finalizer and is claimed by a live one. */
  CLAIM_IDLE_MS: env.int(15_000, 50),
  /**
   * replicated: a read of finalize entries is followed by WAIT 1 on the connection that read them
   * (durabilityConfig), so a failover cannot lose the end of a game already recorded.
   */
  ...durabilityConfig,
});

export type FinalizerConfig = z.infer<typeof finalizerSchema>;

/** Throws a ConfigError naming each bad variable. */
export function loadFinalizerConfig(source: NodeJS.ProcessEnv = process.env): FinalizerConfig {
  return loadConfig(finalizerSchema, source);
}
