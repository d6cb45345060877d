// Dashboards proven, not guessed: a real Prometheus scrapes a real stack while games are played,
// then every panel's query must run without error and return at least one series.
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { startStack, type Stack } from '../support/stack.js';
import { startPrometheus, type PrometheusHandle } from '../support/prometheus.js';
import { TestPlayer, play, startGame } from '../support/player.js';
import { waitFor } from '../support/redis.js';
import { FakeApiServer } from '../controller/fake-apiserver.js';
import { deployment, gatewayPod } from '../controller/support.js';
import { startController, type RunningController } from '../../controllers/room-reaper/src/app.js';
import { controllerConfigSchema } from '../../controllers/room-reaper/src/config.js';
// @ts-expect-error: a plain JS build script without types
import { dashboards, toGrafana } from '../../observability/grafana/build.js';

type Panel = { title: string; targets: { expr: string; legendFormat: string }[] };
type Dashboard = { uid: string; title: string; schemaVersion: number; panels: Panel[]; templating: { list: { name: string; type: string }[] } };
const dir = new URL('../../observability/grafana/', import.meta.url);
const committed = Object.keys(dashboards as object).map((uid) => JSON.parse(readFileSync(new URL(`${uid}.json`, dir), 'utf8')) as Dashboard);

describe('dashboard files', () => {
  test('the committed JSON is what observability/grafana/build.js writes (run make dashboards)', () => {
    for (const d of committed) expect(d).toEqual((toGrafana as (u: string, d: unknown) => unknown)(d.uid, (dashboards as Record<string, unknown>)[d.uid]));
  });
  test('Grafana 10+ shape: schema version, datasource variable, no hard-coded datasource uid', () => {
    for (const d of committed) {
      expect(d.schemaVersion).toBeGreaterThanOrEqual(36);
      expect(d.templating.list).toContainEqual(expect.objectContaining({ name: 'datasource', type: 'datasource' }));
      expect(JSON.stringify(d)).not.toMatch(/"uid":"(?!\$\{datasource\})[^"]*","type"|"datasource":"[^$]/);
    }
  });
});

describe('every panel query against a real Prometheus', () => {
  let stack: Stack;
  let prom: PrometheusHandle;
  let api: FakeApiServer;
  let controller: RunningController;
  const players: TestPlayer[] = [];

  beforeAll(async () => {
    stack = await startStack();
    // The controller against the contract-checking API server: a gateway Deployment whose one pod
    // is this stack's gateway, and a ConnectionScaler for it.
    api = await FakeApiServer.start();
    const ns = 'gambit';
    api.put('deployments', ns, deployment('gateway', 1, { 'app.kubernetes.io/component': 'gateway' }));
    api.put('pods', ns, gatewayPod(stack.gateway.id, { labels: { 'app.kubernetes.io/component': 'gateway' } }));
    api.put('connectionscalers', ns, {
      metadata: { name: 'gateway' },
      spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'gateway' }, targetConnectionsPerPod: 500, minReplicas: 1, maxReplicas: 3 },
    });
    controller = await startController(controllerConfigSchema.parse({
      REDIS_URL: stack.redisUrl, KEY_PREFIX: stack.keyPrefix, LOG_LEVEL: 'silent', KUBERNETES: 'kubeconfig', POD_NAME: 'reaper-0',
      POD_NAMESPACE: ns, METRICS_PORT: '0', SCALE_EVERY_MS: '500', REAP_EVERY_MS: '200', GATEWAY_SCAN_MS: '500', HOUSEKEEPING_EVERY_MS: '500',
      LEASE_DURATION_MS: '2000', LEASE_RENEW_DEADLINE_MS: '1500', LEASE_RETRY_MS: '200',
    }), { kubeConfig: api.kubeConfig() });
    prom = await startPrometheus({
      gateway: stack.httpUrl.replace('http://', ''),
      'game-engine': `127.0.0.1:${stack.engines[0]!.port}`,
      finalizer: `127.0.0.1:${stack.finalizer.port}`,
      'room-reaper': `127.0.0.1:${controller.port}`,
    });
    await waitFor(async () => ((await prom.query('sum(up)')).data?.result as { value: [number, string] }[])?.[0]?.value[1] === '4', 20_000, 'targets not up');
    const w = await TestPlayer.connect(stack.httpUrl, 'alice');
    const b = await TestPlayer.connect(stack.httpUrl, 'bob');
    players.push(w, b);
    const room = await startGame(w, b);
    await play(room, w, b, ['f2f3', 'e7e5', 'g2g4', 'd8h4']);
    await w.next('ended');
    w.send('{not json');
    await w.next('error');
    const leaver = await TestPlayer.connect(stack.httpUrl, 'carol');
    leaver.close();
    await leaver.closed;
    // Enough scrapes after the game for rate() and histogram_quantile() to have two samples.
    await waitFor(async () => {
      const r = await prom.query('sum(increase(gambit_finalizer_games_total{outcome="stored"}[1m]))');
      return Number((r.data?.result as { value: [number, string] }[])?.[0]?.value[1] ?? 0) > 0;
    }, 20_000, 'the finished game never showed in Prometheus');
    // Series born during the game need a second sample for rate(): wait for two more scrapes of each target.
    const after = Date.now() / 1000 + 2;
    await waitFor(async () => {
      const r = await prom.query('min(timestamp(up))');
      return Number((r.data?.result as { value: [number, string] }[])?.[0]?.value[1] ?? 0) > after;
    }, 20_000, 'Prometheus stopped scraping');
  }, 60_000);

  afterAll(async () => {
    players.forEach((p) => p.close());
    await prom?.stop();
    await controller?.close();
    api?.endWatches();
    await api?.close();
    await stack?.stop();
  });

  test('no query errors, none comes back empty', async () => {
    const failures: string[] = [];
    for (const d of committed) {
      for (const panel of d.panels) {
        for (const t of panel.targets) {
          const expr = t.expr.replaceAll('$__rate_interval', '1m');
          const r = await prom.query(expr);
          if (r.status !== 'success') failures.push(`${d.title} / ${panel.title}: ${r.error}`);
          else if (!r.data?.result.length) failures.push(`${d.title} / ${panel.title}: no series for ${expr}`);
        }
      }
    }
    expect(failures).toEqual([]);
  });
});
