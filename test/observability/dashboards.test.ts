// Dashboards proven, not guessed: a real Prometheus scrapes a real stack while games are played,
// then every panel's query must run without error and return at least one series.
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { startStack, type Stack } from '../support/stack.js';
import { startPrometheus, type PrometheusHandle } from '../support/prometheus.js';
import { TestPlayer, play, startGame } from '../support/player.js';
import { waitFor } from '../support/redis.js';
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
  const players: TestPlayer[] = [];

  beforeAll(async () => {
    stack = await startStack();
    prom = await startPrometheus({
      gateway: stack.httpUrl.replace('http://', ''),
      'game-engine': `127.0.0.1:${stack.engines[0]!.port}`,
      finalizer: `127.0.0.1:${stack.finalizer.port}`,
    });
    await waitFor(async () => ((await prom.query('sum(up)')).data?.result as { value: [number, string] }[])?.[0]?.value[1] === '3', 20_000, 'targets not up');
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
