// Builds a running controller from its configuration: Redis, the room domain (@gambit/rooms: store,
// engine core, deadline scan), the four loops (rooms, gateways, streams, scaling), the gateway pod
// informer, leader election and the status listener. Only the leader runs the loops; every
// replica keeps its pod cache warm.
import type { KubeConfig } from '@kubernetes/client-node';
import { connectRedis, createLogger, createRegistry, keys as makeKeys, GATEWAY_STREAM_RETAIN_MS, STREAM_MAXLEN, waitReady, type Registry } from '@gambit/common';
import { DeadlineScanner, Engine, RoomStore } from '@gambit/rooms';
import type { ControllerConfig } from './config.js';
import { controllerMetrics, engineHooks, type ControllerMetrics } from './metrics.js';
import { Loop } from './loop.js';
import { statusServer } from './http.js';
import { GatewayJanitor } from './redis/gateways.js';
import { StreamHousekeeper } from './redis/streams.js';
import { readCounts } from './redis/counts.js';
import { kubeApis } from './kube/client.js';
import { PodTracker } from './kube/pods.js';
import { KubeLeaseStore, LeaderElector } from './kube/lease.js';
import { ScaleReconciler } from './kube/scaler.js';

export interface RunningController {
  id: string;
  port: number;
  registry: Registry;
  metrics: ControllerMetrics;
  isLeader(): boolean;
  /** The deadline scan of the rooms loop (the engines' own scan; here the backstop). */
  reaper: DeadlineScanner;
  janitor: GatewayJanitor;
  housekeeper: StreamHousekeeper;
  scaler?: ScaleReconciler;
  pods?: PodTracker;
  close(): Promise<void>;
  /** Stops at once without releasing the Lease or finishing anything, like a killed process (tests). */
  crash(): void;
}

export interface ControllerDeps {
  /** The cluster to talk to; null runs without Kubernetes (no leader election, no pod watch, no scaling). */
  kubeConfig: KubeConfig | null;
}

export async function startController(config: ControllerConfig, deps: ControllerDeps): Promise<RunningController> {
  const id = config.POD_NAME;
  const log = createLogger('room-reaper', config.LOG_LEVEL).child({ replica: id });
  const keys = makeKeys(config.KEY_PREFIX, config.ROOM_SHARDS, config.REDIS_MODE);
  const registry = createRegistry('room-reaper');
  const metrics = controllerMetrics(registry);
  const redis = connectRedis(config.REDIS_URL, `room-reaper:${id}`, config.REDIS_MODE);
  await waitReady(redis, config.REDIS_URL);

  const store = new RoomStore(redis, keys, { roomTtlMs: config.ROOM_TTL_MS, logCap: config.ROOM_LOG_CAP, gatewayStreamRetainMs: GATEWAY_STREAM_RETAIN_MS, finalizeMaxLen: STREAM_MAXLEN.finalize });
  // No graceMs: only a `disconnect` starts a grace, and the controller sends those to the engines.
  const engine = new Engine(store, {}, log, engineHooks(metrics));
  const reaper = new DeadlineScanner(store, engine, keys, log, { batch: config.REAP_BATCH });
  const apis = deps.kubeConfig ? kubeApis(deps.kubeConfig) : null;

  const pods = apis
    ? new PodTracker({
        core: apis.core, watch: apis.watch, namespace: config.POD_NAMESPACE, labelSelector: config.GATEWAY_SELECTOR, container: config.GATEWAY_CONTAINER, log,
        onDeleted: () => janitorLoop.trigger(), // a deleted gateway pod is handled now, not at the next scan
        onRestart: (reason) => metrics.informerRestarts.inc({ reason }),
      })
    : undefined;
  const janitor = new GatewayJanitor(redis, keys, () => (pods ? pods.view() : { known: false }), config.GATEWAY_STALE_MS, log, metrics);
  const housekeeper = new StreamHousekeeper(redis, keys, {
    stuckPendingMs: config.STUCK_PENDING_MS, retainMs: config.STREAM_RETAIN_MS, consumerIdleMs: config.CONSUMER_IDLE_MS, orphanStreamMs: config.ORPHAN_STREAM_MS,
  }, log, metrics);
  const scaler = apis
    ? new ScaleReconciler({ apis, namespace: config.POD_NAMESPACE, identity: id, log, metrics, counts: (names) => readCounts(redis, keys, names) })
    : undefined;

  const janitorLoop = new Loop('gateways', config.GATEWAY_SCAN_MS, () => janitor.runOnce(), log, metrics);
  const loops = [
    new Loop('rooms', config.REAP_EVERY_MS, async () => {
      // Rooms that failed (each logged; retried next round) fail the round: gambit_reaper_reconcile_errors_total.
      const r = await reaper.runOnce();
      if (r.failed) throw new Error(`${r.failed} of ${r.ticked + r.expired} rooms failed`);
    }, log, metrics),
    janitorLoop,
    new Loop('streams', config.HOUSEKEEPING_EVERY_MS, () => housekeeper.runOnce(), log, metrics),
    ...(scaler ? [new Loop('scaling', config.SCALE_EVERY_MS, () => scaler.runOnce(), log, metrics)] : []),
  ];

  let leading = false;
  let work: Promise<void> = Promise.resolve();
  const lead = (on: boolean) => {
    if (on === leading) return;
    leading = on;
    metrics.leader.set(on ? 1 : 0);
    metrics.leaderTransitions.inc({ to: on ? 'leader' : 'standby' });
    log.info({ leading: on }, on ? 'leading: loops started' : 'not leading: loops stopped');
    work = work.then(async () => {
      if (on) loops.forEach((l) => l.start());
      else {
        await Promise.all(loops.map((l) => l.stop()));
        scaler?.reset();
      }
    });
  };

  const elector = apis
    ? new LeaderElector({
        identity: id, leaseDurationMs: config.LEASE_DURATION_MS, renewDeadlineMs: config.LEASE_RENEW_DEADLINE_MS, retryMs: config.LEASE_RETRY_MS,
        store: new KubeLeaseStore(apis.coordination, config.POD_NAMESPACE, config.LEASE_NAME), log,
        onStartedLeading: () => lead(true),
        onStoppedLeading: () => lead(false),
      })
    : undefined;

  const http = statusServer(registry, () => {
    if (redis.status !== 'ready') return { ok: false, why: 'redis not ready' };
    if (pods && !pods.synced) return { ok: false, why: 'gateway pods not listed yet' };
    return { ok: true, why: '' };
  });
  await new Promise<void>((resolve) => http.listen(config.METRICS_PORT, resolve));
  const port = (http.address() as { port: number }).port;

  metrics.leader.set(0);
  pods?.start();
  if (elector) elector.start();
  else lead(true); // without Kubernetes there is no Lease: run a single replica
  log.info({ port, kubernetes: config.KUBERNETES, namespace: config.POD_NAMESPACE, lease: elector ? config.LEASE_NAME : null }, 'room-reaper started');

  let closed: Promise<void> | undefined;
  return {
    id, port, registry, metrics, reaper, janitor, housekeeper,
    ...(scaler ? { scaler } : {}),
    ...(pods ? { pods } : {}),
    isLeader: () => leading,
    close: () => (closed ??= (async () => {
      if (elector) await elector.stop(true);
      lead(false);
      await work;
      await pods?.stop();
      http.close();
      http.closeAllConnections();
      await redis.quit().catch(() => undefined);
      log.info('room-reaper stopped');
    })()),
    crash() {
      closed ??= Promise.resolve();
      void elector?.stop(false);
      leading = false;
      for (const l of loops) void l.stop();
      void pods?.stop();
      http.close();
      http.closeAllConnections();
      redis.disconnect();
    },
  };
}
