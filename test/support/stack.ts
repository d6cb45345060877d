// The whole platform in one test process: a real redis-server, dynalite, N engines, a finalizer
// and a gateway serving the built client. Each stack gets its own key prefix and tables.
import { randomBytes } from 'node:crypto';
import { devSigningKey } from './keys.js';
import { fileURLToPath } from 'node:url';
import { startRedis, type RedisHandle } from './redis.js';
import { startDynalite, type DynaliteHandle } from './dynalite.js';
import { startEngine, type RunningEngine } from '../../services/game-engine/src/app.js';
import { engineConfigSchema } from '../../services/game-engine/src/config.js';
import { startGateway, type RunningGateway } from '../../services/gateway/src/app.js';
import { gatewayConfigSchema } from '../../services/gateway/src/config.js';
import { startFinalizer, type RunningFinalizer } from '../../services/finalizer/src/app.js';
import { finalizerSchema } from '../../services/finalizer/src/config.js';

export { devSigningKey };

export interface Stack {
  httpUrl: string;
  wsUrl: string;
  redisUrl: string;
  dynamoEndpoint: string;
  keyPrefix: string;
  gamesTable: string;
  playersTable: string;
  redis: RedisHandle;
  dynamo: DynaliteHandle;
  engines: RunningEngine[];
  gateway: RunningGateway;
  finalizer: RunningFinalizer;
  /** Starts one more engine on the same Redis. */
  addEngine(): Promise<RunningEngine>;
  stop(): Promise<void>;
}

export interface StackOptions {
  engines?: number;
  graceMs?: number;
  claimIdleMs?: number;
  gateway?: Record<string, string>;
}

export const WEB_ROOT = fileURLToPath(new URL('../../web/dist', import.meta.url));

export async function startStack(opts: StackOptions = {}): Promise<Stack> {
  const [redis, dynamo] = await Promise.all([startRedis(), startDynalite()]);
  const prefix = `t${randomBytes(3).toString('hex')}`;
  const gamesTable = `${prefix}-games`;
  const playersTable = `${prefix}-players`;
  const common = { REDIS_URL: redis.url, KEY_PREFIX: prefix, LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent' };
  const engineEnv = {
    ...common, METRICS_PORT: '0', RECONNECT_GRACE_MS: String(opts.graceMs ?? 12_000), DEADLINE_SCAN_MS: '20',
    CLAIM_IDLE_MS: String(opts.claimIdleMs ?? 1_000),
  };
  const addEngine = async () => startEngine(engineConfigSchema.parse(engineEnv));
  const engines: RunningEngine[] = [];
  for (let i = 0; i < (opts.engines ?? 1); i++) engines.push(await addEngine());
  const finalizer = await startFinalizer(finalizerSchema.parse({
    ...common, DYNAMODB_ENDPOINT: dynamo.endpoint, GAMES_TABLE: gamesTable, PLAYERS_TABLE: playersTable,
    CREATE_TABLES: 'true', FINALIZER_HTTP_PORT: '0', FINALIZE_BACKOFF_BASE_MS: '20', CLAIM_IDLE_MS: '1000',
  }));
  const gateway = await startGateway(gatewayConfigSchema.parse({
    ...common, PORT: '0', HOST: '127.0.0.1', TOKEN_SIGNING_KEY: devSigningKey(), WEB_ROOT,
    FINALIZER_URL: `http://127.0.0.1:${finalizer.port}`, DRAIN_MS: '200', ...opts.gateway,
  }));
  const httpUrl = `http://127.0.0.1:${gateway.port}`;
  return {
    httpUrl, wsUrl: `ws://127.0.0.1:${gateway.port}/ws`, redisUrl: redis.url, dynamoEndpoint: dynamo.endpoint,
    keyPrefix: prefix, gamesTable, playersTable, redis, dynamo, engines, gateway, finalizer,
    async addEngine() {
      const e = await addEngine();
      engines.push(e);
      return e;
    },
    async stop() {
      await gateway.close();
      await Promise.allSettled(engines.map((e) => e.close()));
      await finalizer.close();
      await Promise.all([redis.stop(), dynamo.stop()]);
    },
  };
}

