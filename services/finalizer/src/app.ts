// Wires the finalizer: two Nest microservices, one reading the finalize streams (one per room
// shard) and one the account-jobs stream (erase, adopt), the DynamoDB stores, the read API and
// metrics. main.ts runs it; tests start several in one process.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { Module, type DynamicModule, type LoggerService } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { AddressInfo } from 'node:net';
import { atMostEvery, connectRedis, createLogger, createRegistry, FINALIZER_GROUP, instanceId, keys, waitReady, watchRedis, type Logger } from '@gambit/common';
import { encodeRatingCopy } from '@gambit/protocol';
import { RedisStreamsServer, streamMetrics } from '@gambit/streams';
import type { FinalizerConfig } from './config.js';
import { ACCOUNT_JOB_DEPS, AccountJobsController, type AccountJobDeps } from './account-jobs.controller.js';
import { AccountStore } from './account-store.js';
import { FINALIZER_DEPS, FinalizeController, type FinalizerDeps } from './finalize.controller.js';
import { createHttpServer } from './http.js';
import { createAccountJobMetrics, createMetrics } from './metrics.js';
import { waitForReplicas } from './replicated-reads.js';
import { GameStore } from './store.js';
import { ensureTables, type TableNames } from './tables.js';

export interface RunningFinalizer {
  /** The HTTP port actually bound (FINALIZER_HTTP_PORT may be 0 in tests). */
  port: number;
  /** Stops reading and closes connections; unacknowledged entries are claimed again by another finalizer. */
  close(): Promise<void>;
  /** Stops at once without acknowledging anything in flight, as a killed pod would (tests). */
  crash(): void;
}

@Module({})
class AppModule {
  static forRoot(deps: FinalizerDeps): DynamicModule {
    return { module: AppModule, controllers: [FinalizeController], providers: [{ provide: FINALIZER_DEPS, useValue: deps }] };
  }
}

/** A Nest microservice has one transport: the account-jobs stream gets its own, with its own handlers. */
@Module({})
class AccountJobsModule {
  static forRoot(deps: AccountJobDeps): DynamicModule {
    return { module: AccountJobsModule, controllers: [AccountJobsController], providers: [{ provide: ACCOUNT_JOB_DEPS, useValue: deps }] };
  }
}

/** Nest's own messages go to the JSON log like everything else. */
function nestLogger(logger: Logger): LoggerService {
  const ctx = (params: unknown[]) => ({ context: params.at(-1) });
  return {
    log: (msg: unknown, ...p: unknown[]) => logger.debug(ctx(p), String(msg)),
    warn: (msg: unknown, ...p: unknown[]) => logger.warn(ctx(p), String(msg)),
    error: (msg: unknown, ...p: unknown[]) => logger.error(ctx(p), String(msg)),
    debug: (msg: unknown, ...p: unknown[]) => logger.debug(ctx(p), String(msg)),
    verbose: (msg: unknown, ...p: unknown[]) => logger.trace(ctx(p), String(msg)),
  };
}

export function createDynamoClient(config: FinalizerConfig): DynamoDBClient {
  const local = config.DYNAMODB_ENDPOINT;
  // dynalite accepts any credentials; do not make developers configure fake ones.
  const haveCredentials = process.env.AWS_ACCESS_KEY_ID || process.env.AWS_PROFILE || process.env.AWS_WEB_IDENTITY_TOKEN_FILE;
  return new DynamoDBClient({
    region: config.AWS_REGION,
    ...(local ? { endpoint: local } : {}),
    ...(local && !haveCredentials ? { credentials: { accessKeyId: 'local', secretAccessKey: 'local' } } : {}),
    // The finalizer retries with its own backoff schedule (FINALIZE_*); SDK retries would stretch it.
    maxAttempts: 1,
    requestHandler: { connectionTimeout: 2_000, requestTimeout: 10_000 },
  });
}

/** Resolves with `fallback` if `p` takes longer than `ms` (a readiness probe must answer quickly). */
async function within<T>(p: Promise<T>, ms: number, fallback: T): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<T>((resolve) => { timer = setTimeout(() => resolve(fallback), ms); });
  try {
    return await Promise.race([p, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

export async function startFinalizer(config: FinalizerConfig, opts: { consumer?: string } = {}): Promise<RunningFinalizer> {
  const logger = createLogger('finalizer', config.LOG_LEVEL);
  const k = keys(config.KEY_PREFIX, config.ROOM_SHARDS, config.REDIS_MODE);
  const names: TableNames = { games: config.GAMES_TABLE, players: config.PLAYERS_TABLE };
  const dynamo = createDynamoClient(config);
  const redis = connectRedis(config.REDIS_URL, 'finalizer', config.REDIS_MODE);
  try {
    await waitReady(redis, config.REDIS_URL);
    if (config.CREATE_TABLES) await ensureTables(dynamo, names);
  } catch (err) {
    redis.disconnect();
    dynamo.destroy();
    throw err;
  }

  const registry = createRegistry('finalizer');
  const finalizeStreams = k.allShards.map((s) => k.finalize(s));
  // A game that fails for good is parked in its own shard's dead letters (a replay's MULTI stays in one slot).
  const deadLetterStreams = new Map(k.allShards.map((s) => [k.finalize(s), k.finalizeDead(s)]));
  const metrics = createMetrics(registry, redis, [...deadLetterStreams.values()]);
  const store = new GameStore(dynamo, names, {
    local: Boolean(config.DYNAMODB_ENDPOINT), logger,
    // The matchmaker reads ratings from Redis (a pool entry carries one): a copy after each rated game.
    // Every player's ratings are in the matchmaking slot on a Redis Cluster: one MULTI for both.
    rated: async (speed, copies) => {
      const m = redis.multi();
      for (const [playerId, copy] of Object.entries(copies)) m.hset(k.ratings(playerId), speed, encodeRatingCopy(copy));
      await m.exec();
    },
  });
  const aborter = new AbortController();
  watchRedis(registry, redis);
  const streams = streamMetrics(registry, redis, finalizeStreams, FINALIZER_GROUP, 'finalize');
  // Replicated durability: a finalize entry is written to DynamoDB only once a replica has it (or
  // COMMIT_WAIT_MS passed: counted, one warning a minute at most, and the game stored anyway).
  // Account jobs are left out: their entry lost after the job ran only loses a request already done.
  const warnNow = atMostEvery(60_000);
  const afterRead = config.COMMIT_DURABILITY === 'replicated' ? waitForReplicas({
    replicas: 1, timeoutMs: config.COMMIT_WAIT_MS,
    unreplicated: (acked, stream, count) => {
      metrics.readsUnreplicated.inc();
      if (warnNow()) logger.warn({ acked, stream, count, waitMs: config.COMMIT_WAIT_MS }, 'finalize entries read were not acknowledged by a replica in time (is the replica down?); storing their games anyway, but a failover could lose their end');
    },
  }) : undefined;
  const streamServer = (read: readonly string[], onClaimed: (n: number) => void, waitRead?: typeof afterRead) => new RedisStreamsServer({
    connect: (role) => connectRedis(config.REDIS_URL, `finalizer:${role}`, config.REDIS_MODE),
    streams: read,
    group: FINALIZER_GROUP,
    // Pod names are unique in Kubernetes; the pid keeps two local processes apart.
    consumer: opts.consumer ?? instanceId(),
    logger,
    claimIdleMs: config.CLAIM_IDLE_MS,
    claimEveryMs: Math.min(5_000, Math.max(50, Math.floor(config.CLAIM_IDLE_MS / 3))),
    onClaimed,
    ...(waitRead ? { afterRead: waitRead } : {}),
  });
  const server = streamServer(finalizeStreams, streams.claimed, afterRead);
  const app = await NestFactory.createMicroservice(
    AppModule.forRoot({
      store, redis, deadLetterStreams, maxAttempts: config.FINALIZE_MAX_ATTEMPTS,
      backoffBaseMs: config.FINALIZE_BACKOFF_BASE_MS, metrics, logger, signal: aborter.signal,
    }),
    { strategy: server, logger: nestLogger(logger), abortOnError: false },
  );
  // Account jobs: the same group name on their own stream, the same retries and dead letters.
  // (streamMetrics registers fixed metric names once per registry, so this stream has its own claim counter.)
  const jobMetrics = createAccountJobMetrics(registry, redis, k.accountJobsDead);
  const jobsServer = streamServer([k.accountJobs], (n) => jobMetrics.claimed.inc(n));
  const jobsApp = await NestFactory.createMicroservice(
    AccountJobsModule.forRoot({
      accounts: new AccountStore(dynamo, names, (items) => store.transactWrite(items)), redis, deadLetterStream: k.accountJobsDead,
      maxAttempts: config.FINALIZE_MAX_ATTEMPTS, backoffBaseMs: config.FINALIZE_BACKOFF_BASE_MS, metrics, jobMetrics, logger,
      signal: aborter.signal,
    }),
    { strategy: jobsServer, logger: nestLogger(logger), abortOnError: false },
  );

  const http = createHttpServer({
    store, registry, logger,
    ready: async () => {
      const [dynamodb, redisCheck] = await Promise.all([
        within(store.ping().then(() => 'ok', (err: unknown) => String(err)), 2_000, 'timeout'),
        redis.status !== 'ready' ? redis.status : within(redis.ping().then(() => 'ok', (err: unknown) => String(err)), 2_000, 'timeout'),
      ]);
      return { ok: dynamodb === 'ok' && redisCheck === 'ok', checks: { dynamodb, redis: redisCheck } };
    },
  });
  const releaseAll = () => {
    http.closeAllConnections();
    http.close();
    redis.disconnect();
    dynamo.destroy();
  };
  try {
    await app.listen();
    await jobsApp.listen();
    await new Promise<void>((resolve, reject) => {
      http.once('error', reject);
      http.listen(config.FINALIZER_HTTP_PORT, () => resolve());
    });
  } catch (err) {
    server.crash();
    jobsServer.crash();
    releaseAll();
    throw err;
  }
  const port = (http.address() as AddressInfo).port;
  logger.info({ port, stream: finalizeStreams[0], shards: k.shards, accountJobs: k.accountJobs, durability: config.COMMIT_DURABILITY }, 'finalizer started');

  let stopped = false;
  return {
    port,
    async close() {
      if (stopped) return;
      stopped = true;
      // In-flight retries stop waiting; unacknowledged entries are claimed again (and are idempotent).
      aborter.abort();
      await Promise.all([app.close(), jobsApp.close()]);
      await new Promise<void>((resolve) => {
        http.close(() => resolve());
        http.closeAllConnections();
      });
      await redis.quit().catch(() => redis.disconnect());
      dynamo.destroy();
      logger.info('finalizer stopped');
    },
    crash() {
      if (stopped) return;
      stopped = true;
      aborter.abort();
      server.crash();
      jobsServer.crash();
      releaseAll();
    },
  };
}
