// Alert rules through the real promtool: syntax, unit tests, and that every alert is tested and
// has a runbook section.
import { describe, expect, test } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const dir = fileURLToPath(new URL('../../observability/prometheus/', import.meta.url));
const rules = readFileSync(`${dir}alerts.yml`, 'utf8');
const tests = readFileSync(`${dir}alerts.test.yml`, 'utf8');
const runbooks = readFileSync(new URL('../../docs/operations.md', import.meta.url), 'utf8');
const alerts = [...rules.matchAll(/- alert: (\w+)/g)].map((m) => m[1]!);

describe('alert rules', () => {
  test('promtool check rules', () => {
    const r = spawnSync('promtool', ['check', 'rules', 'alerts.yml'], { cwd: dir, encoding: 'utf8' });
    expect(r.stdout + r.stderr).toContain('SUCCESS');
    expect(r.status).toBe(0);
  });

  test('promtool test rules: each alert fires on its fault and not without it', () => {
    const r = spawnSync('promtool', ['test', 'rules', 'alerts.test.yml'], { cwd: dir, encoding: 'utf8' });
    expect(r.stdout + r.stderr).toContain('SUCCESS');
    expect(r.status).toBe(0);
  });

  test.each(alerts)('%s is unit-tested, firing and quiet, and has a runbook', (alert) => {
    const cases = [...tests.matchAll(new RegExp(`alertname: ${alert}(, exp_alerts: \\[\\])?`, 'g'))];
    expect(cases.some((c) => c[1])).toBe(true); // quiet case
    expect(cases.some((c) => !c[1])).toBe(true); // firing case
    expect(runbooks).toMatch(new RegExp(`^### ${alert}$`, 'm'));
  });
});
