// Shared pieces of the controller tests.
import { createLogger } from '@gambit/common';
import type { FakeApiServer, Obj } from './fake-apiserver.js';
import { controllerConfigSchema } from '../../controllers/room-reaper/src/config.js';
import { startController, type RunningController } from '../../controllers/room-reaper/src/app.js';
import { waitFor } from '../support/redis.js';

export const log = createLogger('room-reaper-test', process.env.TEST_LOG_LEVEL ?? 'silent');
export const NS = 'gambit';

/** A gateway pod as the API server stores it (Running, Ready). */
export function gatewayPod(name: string, extra: { labels?: Record<string, string>; phase?: string; startedAt?: string } = {}): Obj {
  const startedAt = extra.startedAt ?? '2026-01-01T00:00:00Z';
  return {
    metadata: { name, labels: extra.labels ?? { 'app.kubernetes.io/component': 'gateway', app: 'gateway' } },
    spec: { containers: [{ name: 'gateway', image: 'gambit/gateway:test' }, { name: 'sidecar', image: 'busybox' }] },
    status: {
      phase: extra.phase ?? 'Running', conditions: [{ type: 'Ready', status: 'True' }],
      containerStatuses: [
        { name: 'gateway', ready: true, restartCount: 0, image: 'gambit/gateway:test', imageID: '', state: { running: { startedAt } } },
        // A sidecar that restarted later: it says nothing about the gateway's sockets.
        { name: 'sidecar', ready: true, restartCount: 3, image: 'busybox', imageID: '', state: { running: { startedAt: '2026-06-01T00:00:00Z' } } },
      ],
    },
  };
}

export function deployment(name: string, replicas: number, labels: Record<string, string> = { app: 'gateway' }): Obj {
  return {
    metadata: { name, labels },
    spec: { replicas, selector: { matchLabels: labels }, template: { metadata: { labels }, spec: { containers: [{ name: 'gateway', image: 'gambit/gateway:test' }] } } },
    status: { replicas },
  };
}

/** One sample from a Prometheus text exposition: the series `name` with (at least) these labels; NaN when absent. */
export function sample(text: string, name: string, labels: Record<string, string> = {}): number {
  for (const line of text.split('\n')) {
    const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const have = Object.fromEntries([...(m[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((x) => [x[1], x[2]]));
    if (Object.entries(labels).every(([k, v]) => have[k] === v)) return Number(m[3]);
  }
  return Number.NaN;
}

/** A sample from a running controller's /metrics. */
export async function scrape(port: number, name: string, labels: Record<string, string> = {}): Promise<number> {
  return sample(await (await fetch(`http://127.0.0.1:${port}/metrics`)).text(), name, labels);
}

/**
 * The controller in this process, leading at once, watching the gateway pods through the fake API
 * server; `redis`: its REDIS_URL (and REDIS_MODE, ROOM_SHARDS for a cluster), `keyPrefix` the stack's.
 */
export async function startLeadingController(api: FakeApiServer, redis: Record<string, string>, keyPrefix: string, leadWithinMs = 5_000): Promise<RunningController> {
  const controller = await startController(controllerConfigSchema.parse({
    ...redis, KEY_PREFIX: keyPrefix, LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent', METRICS_PORT: '0',
    POD_NAME: 'reaper-0', POD_NAMESPACE: NS, LEASE_DURATION_MS: '2000', LEASE_RENEW_DEADLINE_MS: '1500', LEASE_RETRY_MS: '200',
    GATEWAY_SCAN_MS: '500', REAP_EVERY_MS: '200',
  }), { kubeConfig: api.kubeConfig() });
  await waitFor(() => controller.isLeader() && controller.pods!.synced, leadWithinMs, 'controller not leading');
  return controller;
}
