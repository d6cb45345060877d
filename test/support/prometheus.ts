// A real Prometheus (Debian package) scraping the given targets every second, for dashboard tests.
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './ports.js';
import { waitFor } from './redis.js';

export interface PrometheusHandle {
  url: string;
  query(expr: string): Promise<{ status: string; error?: string; data?: { result: unknown[] } }>;
  stop(): Promise<void>;
}

/** `targets`: component name -> host:port serving /metrics. */
export async function startPrometheus(targets: Record<string, string>): Promise<PrometheusHandle> {
  const dir = mkdtempSync(join(tmpdir(), 'gambit-prom-'));
  const port = await freePort();
  const config = [
    'global: { scrape_interval: 1s, evaluation_interval: 1s }',
    'scrape_configs:',
    ...Object.entries(targets).map(([component, target]) =>
      `  - job_name: ${component}\n    static_configs: [{ targets: ['${target}'], labels: { component: ${component} } }]`),
  ].join('\n');
  writeFileSync(join(dir, 'prometheus.yml'), config);
  const proc = spawn('prometheus', [
    `--config.file=${join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${join(dir, 'data')}`,
    `--web.listen-address=127.0.0.1:${port}`, '--log.level=warn',
  ], { stdio: 'ignore' });
  const url = `http://127.0.0.1:${port}`;
  await waitFor(() => fetch(`${url}/-/ready`).then((r) => r.ok, () => false), 15_000, 'prometheus did not start (is the Debian package installed?)');
  return {
    url,
    async query(expr) {
      const res = await fetch(`${url}/api/v1/query?query=${encodeURIComponent(expr)}`);
      return (await res.json()) as { status: string; error?: string; data?: { result: unknown[] } };
    },
    stop: () => new Promise<void>((resolve) => {
      proc.once('exit', () => { rmSync(dir, { recursive: true, force: true }); resolve(); });
      proc.kill('SIGTERM');
    }),
  };
}
