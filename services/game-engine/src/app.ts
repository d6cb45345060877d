// Builds a running engine from its configuration: Redis, the room domain (@gambit/rooms: rules,
// store, engine core, deadline scan), the matchmaker (@gambit/pairing), the Nest microservice over the command stream, and a
// /metrics + /healthz listener. This service is the Nest shell around that package.
import 'reflect-metadata';
import { createServer, type Server } from 'node:http';
import { Module, type INestMicroservice } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { atMostEvery, connectRedis, createLogger, instanceId, createRegistry, ENGINE_GROUP, GATEWAY_STREAM_RETAIN_MS, STREAM_MAXLEN, keys as makeKeys, waitReady, watchRedis } from '@gambit/common';
import { RedisStreamsServer, StreamLeases, streamMetrics } from '@gambit/streams';
import { DeadlineScanner, Engine, RoomStore, engineMetrics } from '@gambit/rooms';
import { Matchmaker, PoolStore, pairingMetrics } from '@gambit/pairing';
import { CommandsController, ENGINE } from './commands.controller.js';
import type { EngineConfig } from './config.js';

export interface RunningEngine {
  id: string;
  port: number;
  close(): Promise<void>;
  /** Stops at once without acknowledging anything, like a killed process (tests). */
  crash(): void;
  /** The room shards whose commands and deadlines this engine handles now. */
  shards(): readonly number[];
}

export async function startEngine(config: EngineConfig): Promise<RunningEngine> {
  const id = config.ENGINE_ID ?? instanceId();
  const log = createLogger('game-engine', config.LOG_LEVEL).child({ engine: id });
  const keys = makeKeys(config.KEY_PREFIX, config.ROOM_SHARDS, config.REDIS_MODE);
  const registry = createRegistry('game-engine');
  const metrics = engineMetrics(registry);
  const redis = connectRedis(config.REDIS_URL, `engine:${id}`, config.REDIS_MODE);
  await waitReady(redis, config.REDIS_URL);

  // Replicated commits: one warning a minute at most, the counter says how many.
  const warnNow = atMostEvery(60_000);
  const waitFor = config.COMMIT_DURABILITY === 'replicated' ? {
    replicas: 1, timeoutMs: config.COMMIT_WAIT_MS,
    unreplicated: (acked: number) => {
      metrics.unreplicated.inc();
      if (warnNow()) log.warn({ acked, waitMs: config.COMMIT_WAIT_MS }, 'a commit was not acknowledged by a replica in time (is the replica down?); it stands, but a failover could lose it');
    },
  } : undefined;
  const store = new RoomStore(redis, keys, {
    roomTtlMs: config.ROOM_TTL_MS, logCap: config.ROOM_LOG_CAP, gatewayStreamRetainMs: GATEWAY_STREAM_RETAIN_MS, finalizeMaxLen: STREAM_MAXLEN.finalize,
    ...(waitFor ? { waitFor } : {}),
  });
  const engine = new Engine(store, { graceMs: config.RECONNECT_GRACE_MS }, log, metrics);
  // Each shard's command stream, and on a Cluster the matchmaking outbox (its pairs: every engine reads it).
  const shardStreams = keys.allShards.map((s) => keys.commands(s));
  const commandStreams = [...shardStreams, ...(keys.pairs ? [keys.pairs] : [])];
  // The shards this engine reads and scans: all, or those it wins among the live engines (leases).
  let shards: readonly number[] = keys.allShards;
  const scanner = new DeadlineScanner(store, engine, keys, log, { shards: () => shards });
  // Every engine pairs the pools; their claims are atomic, so racing matchmakers pair nobody twice.
  const matchmaker = new Matchmaker({
    store: new PoolStore(redis, keys), stream: (playerId) => keys.pairCommands(playerId), maxLen: STREAM_MAXLEN.commands, log, everyMs: config.PAIRING_ROUND_MS, metrics: pairingMetrics(registry),
  });

  @Module({ controllers: [CommandsController], providers: [{ provide: ENGINE, useValue: engine }] })
  class EngineModule {}

  watchRedis(registry, redis);
  const streams = streamMetrics(registry, redis, commandStreams, ENGINE_GROUP, 'commands');
  metrics.watchActiveGames(redis, keys.allShards.map((s) => keys.flagDeadlines(s)));
  const transport = new RedisStreamsServer({
    connect: (role) => connectRedis(config.REDIS_URL, `engine:${role}`, config.REDIS_MODE),
    streams: commandStreams, group: ENGINE_GROUP, consumer: id, logger: log, claimIdleMs: config.CLAIM_IDLE_MS,
    claimEveryMs: Math.max(100, Math.min(5_000, config.CLAIM_IDLE_MS / 2)),
    onHandled: (type, outcome, seconds) => metrics.handled.observe({ type, outcome }, seconds),
    onClaimed: streams.claimed,
  });
  // With one shard there is nothing to split: every engine reads it (as before shards had owners),
  // so an install made with one keeps all its engines working.
  const leases = config.SHARD_LEASE_MS > 0 && keys.shards > 1 ? new StreamLeases({
    redis, key: keys.engines, me: id, leaseMs: config.SHARD_LEASE_MS, streams: shardStreams, logger: log,
    onOwned: (owned) => {
      shards = owned.map((s) => shardStreams.indexOf(s));
      metrics.shardsOwned.set(shards.length);
      transport.own([...owned, ...(keys.pairs ? [keys.pairs] : [])]);
    },
  }) : undefined;
  // Before the transport listens: it starts reading only what this engine owns. A start that fails
  // after leaves at once, not when its lease runs out.
  if (leases) await leases.start();
  else metrics.shardsOwned.set(shards.length);
  let app: INestMicroservice;
  try {
    app = await NestFactory.createMicroservice(EngineModule, { strategy: transport, logger: false });
    await app.listen();
  } catch (err) {
    await leases?.stop();
    throw err;
  }
  scanner.start(config.DEADLINE_SCAN_MS);
  matchmaker.start();

  const http: Server = createServer(async (req, res) => {
    if (req.url === '/metrics') {
      res.setHeader('content-type', registry.contentType);
      res.end(await registry.metrics());
    } else if (req.url === '/healthz' || req.url === '/readyz') {
      const ok = req.url === '/healthz' || redis.status === 'ready';
      res.statusCode = ok ? 200 : 503;
      res.end(ok ? 'ok' : 'redis not ready');
    } else {
      res.statusCode = 404;
      res.end();
    }
  });
  await new Promise<void>((resolve) => http.listen(config.METRICS_PORT, resolve));
  const port = (http.address() as { port: number }).port;
  log.info({ port, streams: commandStreams.length === 1 ? commandStreams[0] : `${commandStreams.length} shards` }, 'game engine started');

  return {
    id,
    port,
    shards: () => shards,
    async close() {
      scanner.stop();
      await leases?.stop();
      await matchmaker.stop();
      await app.close();
      http.close();
      await redis.quit().catch(() => undefined);
    },
    crash() {
      scanner.stop();
      leases?.crash();
      void matchmaker.stop();
      transport.crash();
      http.close();
      redis.disconnect();
    },
  };
}
