// Alerts that reach a person (issue 17): the chart's Alertmanager configuration (monitoring.alertmanager)
// rendered by the real helm, checked by the real amtool (Debian prometheus-alertmanager: check-config,
// routes test, template render), routed by the severity of every rule in
// observability/prometheus/alerts.yml, and equal to what the plain synthesis builds.
import { beforeAll, describe, expect, test } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { alertmanagerConfig } from '../../cdk8s/src/alerting.js';
import { validateValues } from '../../cdk8s/src/helm.js';
import { mergeValues } from '../../cdk8s/src/profiles.js';
import { defaultValues } from '../../cdk8s/src/values.js';
import { parseYaml } from '../../cdk8s/src/yaml.js';
import { PLAINTEXT_VALUES, byKind, chartDir, helm, named, profileFiles, render, root, validateObject, type K8sObject } from './support.js';

const P = 'monitoring.alertmanager';
const TOPIC = 'arn:aws:sns:eu-west-1:123456789012:gambit-alerts';
/** Every receiver on, credentials from the Secret am-creds. */
const ALL = [
  `${P}.enabled=true`, `${P}.namespace=monitoring`, `${P}.existingSecret=am-creds`, `${P}.runbookBaseUrl=https://github.com/your-org/gambit/blob/main/`,
  `${P}.slack.enabled=true`, `${P}.slack.channel=#gambit-alerts`,
  `${P}.email.enabled=true`, `${P}.email.to=oncall@example.com`, `${P}.email.from=alertmanager@example.com`,
  `${P}.email.smarthost=email-smtp.eu-west-1.amazonaws.com:587`, `${P}.email.authUsername=AKIAEXAMPLE`,
  `${P}.sns.enabled=true`, `${P}.sns.topicArn=${TOPIC}`, `${P}.sns.region=eu-west-1`,
];

type Receiver = { name: string; email_configs?: Record<string, unknown>[]; slack_configs?: Record<string, unknown>[]; sns_configs?: Record<string, unknown>[] };
type AmConfig = { route: { receiver: string; routes: { matchers: string[]; receiver: string }[] }; receivers: Receiver[] };

const secretOf = (objects: K8sObject[]) => named(objects, 'Secret', 'gambit-alertmanager') as K8sObject & { stringData: Record<string, string> };
const configOf = (objects: K8sObject[]) => parseYaml(secretOf(objects).stringData['alertmanager.yaml']!) as unknown as AmConfig;

const work = mkdtempSync(join(tmpdir(), 'gambit-alertmanager-'));
let n = 0;
/** Writes a configuration to a file of its own (text as rendered, or a document) and returns the path. */
function file(config: string | AmConfig): string {
  const path = join(work, `alertmanager-${n++}.yaml`);
  writeFileSync(path, typeof config === 'string' ? config : JSON.stringify(config));
  return path;
}
const amtool = (args: string[]) => {
  const r = spawnSync('amtool', args, { encoding: 'utf8' });
  return { status: r.status ?? -1, out: `${r.stdout}${r.stderr}`, error: r.error };
};

let all: K8sObject[];
beforeAll(() => {
  // amtool is a test dependency like promtool: scripts/ensure-system.sh prometheus-alertmanager
  const v = amtool(['--version']);
  if (v.error || v.status !== 0) throw new Error('amtool is missing: install Debian\'s prometheus-alertmanager (make system-deps)');
  all = render({ set: ALL });
});

describe('the Alertmanager configuration the chart ships', () => {
  test('off by default and in every profile', () => {
    for (const objects of [render(), render({ files: profileFiles.eks }), render({ files: profileFiles.kind })]) {
      expect(byKind(objects, 'Secret').map((s) => s.metadata.name)).not.toContain('gambit-alertmanager');
    }
  });

  test('amtool check-config accepts it (every receiver on, and each alone)', () => {
    const r = amtool(['check-config', file(secretOf(all).stringData['alertmanager.yaml']!)]);
    expect(r.out).toContain('SUCCESS');
    expect(r.out).toContain('3 receivers');
    expect(r.status).toBe(0);
    const alone = [
      [`${P}.enabled=true`, `${P}.existingSecret=am-creds`, `${P}.slack.enabled=true`],
      [`${P}.enabled=true`, `${P}.email.enabled=true`, `${P}.email.to=a@example.com`, `${P}.email.from=b@example.com`, `${P}.email.smarthost=smtp.example.com:25`, `${P}.email.requireTls=false`],
      [`${P}.enabled=true`, `${P}.sns.enabled=true`, `${P}.sns.topicArn=${TOPIC}`, `${P}.sns.region=eu-west-1`, `${P}.sns.roleArn=arn:aws:iam::123456789012:role/alertmanager`, `${P}.sns.severities={critical,warning}`],
    ];
    for (const set of alone) {
      const one = amtool(['check-config', file(secretOf(render({ set })).stringData['alertmanager.yaml']!)]);
      expect({ set, out: one.out, status: one.status }).toEqual({ set, out: expect.stringContaining('SUCCESS'), status: 0 });
    }
  });

  test('a broken configuration fails the check (it can fail)', () => {
    const noWarning = configOf(all);
    noWarning.receivers = noWarning.receivers.filter((r) => r.name !== 'gambit-warning');
    const r = amtool(['check-config', file(noWarning)]);
    expect(r.status).not.toBe(0);
    expect(r.out).toContain('undefined receiver "gambit-warning"');
    const typo = amtool(['check-config', file(secretOf(all).stringData['alertmanager.yaml']!.replace('api_url_file', 'api_url_fil'))]);
    expect(typo.status).not.toBe(0);
    expect(typo.out).toContain('api_url_fil');
  });

  test('every rule of observability/prometheus/alerts.yml reaches the receiver of its severity; the rest nowhere', () => {
    const config = file(secretOf(all).stringData['alertmanager.yaml']!);
    const rules = (parseYaml(readFileSync(join(root, 'observability/prometheus/alerts.yml'), 'utf8')) as unknown as { groups: { rules: { alert: string; labels: { severity: string } }[] }[] })
      .groups.flatMap((g) => g.rules);
    expect(rules.length).toBeGreaterThan(10);
    const receiverOf = (labels: string[]) => amtool(['config', 'routes', 'test', `--config.file=${config}`, ...labels]).out.split('\n').filter((l) => l && !l.startsWith('Warning:'));
    for (const rule of rules) {
      expect(['critical', 'warning']).toContain(rule.labels.severity);
      expect({ alert: rule.alert, receiver: receiverOf([`alertname=${rule.alert}`, `severity=${rule.labels.severity}`, 'component=gateway']) })
        .toEqual({ alert: rule.alert, receiver: [`gambit-${rule.labels.severity}`] });
    }
    // kube-prometheus-stack's always-firing Watchdog and info alerts go nowhere
    expect(receiverOf(['alertname=Watchdog', 'severity=none'])).toEqual(['null']);
    expect(receiverOf(['alertname=CPUThrottlingHigh', 'severity=info'])).toEqual(['null']);
  });

  test('receivers by severity: SNS pages on critical only by default; email and Slack get both', () => {
    const { receivers } = configOf(all);
    const kinds = (name: string) => Object.keys(receivers.find((r) => r.name === name)!).filter((k) => k.endsWith('_configs')).sort();
    expect(kinds('gambit-critical')).toEqual(['email_configs', 'slack_configs', 'sns_configs']);
    expect(kinds('gambit-warning')).toEqual(['email_configs', 'slack_configs']);
    expect(kinds('null')).toEqual([]);
    const slackOnlyCritical = configOf(render({ set: [...ALL, `${P}.slack.severities={critical}`] }));
    expect(slackOnlyCritical.receivers.find((r) => r.name === 'gambit-warning')!.slack_configs).toBeUndefined();
  });

  test('credentials are files from the mounted Secret, never in the configuration', () => {
    const { receivers } = configOf(all);
    const critical = receivers.find((r) => r.name === 'gambit-critical')!;
    expect(critical.slack_configs![0]).toMatchObject({ api_url_file: '/etc/alertmanager/secrets/am-creds/slack-webhook-url', channel: '#gambit-alerts', send_resolved: true });
    expect(critical.email_configs![0]).toMatchObject({ auth_username: 'AKIAEXAMPLE', auth_password_file: '/etc/alertmanager/secrets/am-creds/smtp-password', require_tls: true });
    expect(critical.sns_configs![0]).toMatchObject({ topic_arn: TOPIC, sigv4: { region: 'eu-west-1' } });
    const text = secretOf(all).stringData['alertmanager.yaml']!;
    expect(text).not.toMatch(/api_url:|auth_password:|hooks\.slack\.com/);
    const secret = secretOf(all);
    expect(secret.metadata.namespace).toBe('monitoring');
  });

  test('the message names each alert\'s runbook: amtool renders it, and a broken one fails', () => {
    const { receivers } = configOf(all);
    const message = receivers.find((r) => r.name === 'gambit-critical')!.slack_configs![0]!.text as string;
    expect(message).toContain('Runbook: https://github.com/your-org/gambit/blob/main/{{ . }}');
    const glob = join(work, 'none.tmpl');
    writeFileSync(glob, '');
    const ok = amtool(['template', 'render', `--template.glob=${glob}`, `--template.text=${message}`]);
    expect(ok.status).toBe(0);
    const broken = amtool(['template', 'render', `--template.glob=${glob}`, `--template.text=${message.replace('{{ end }}', '{{ end }')}`]);
    expect(broken.status).not.toBe(0);
  });

  test('the Secret is a valid Kubernetes object; the plain synthesis builds the same document', async () => {
    await validateObject(secretOf(all));
    const values = mergeValues(defaultValues(), PLAINTEXT_VALUES, {
      monitoring: { alertmanager: {
        enabled: true, namespace: 'monitoring', existingSecret: 'am-creds', runbookBaseUrl: 'https://github.com/your-org/gambit/blob/main/',
        slack: { enabled: true, channel: '#gambit-alerts' },
        email: { enabled: true, to: 'oncall@example.com', from: 'alertmanager@example.com', smarthost: 'email-smtp.eu-west-1.amazonaws.com:587', authUsername: 'AKIAEXAMPLE' },
        sns: { enabled: true, topicArn: TOPIC, region: 'eu-west-1' },
      } },
    });
    expect(alertmanagerConfig(values)).toEqual(configOf(all));
  });
});

describe('settings that cannot work are refused', () => {
  test.each([
    [[`${P}.enabled=true`], 'monitoring.alertmanager.enabled needs a receiver'],
    [[`${P}.enabled=true`, `${P}.slack.enabled=true`], 'need monitoring.alertmanager.existingSecret'],
    [[`${P}.enabled=true`, `${P}.email.enabled=true`, `${P}.email.to=a@example.com`], 'monitoring.alertmanager.email needs to, from and smarthost'],
    [[`${P}.enabled=true`, `${P}.sns.enabled=true`, `${P}.sns.topicArn=${TOPIC}`], 'monitoring.alertmanager.sns needs topicArn and region'],
  ])('%j', (set, message) => {
    const r = helm(['template', 'gambit', chartDir, '--set', 'gateway.tls.allowPlaintext=true', ...set.flatMap((s) => ['--set', s])]);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain(message);
  });

  test('the schema refuses a topic that is no SNS ARN and a severity the rules do not use', () => {
    for (const set of [`${P}.sns.topicArn=gambit-alerts`, `${P}.slack.severities={page}`]) {
      const r = helm(['template', 'gambit', chartDir, '--set', set]);
      expect(r.status).not.toBe(0);
      expect(r.stderr).toMatch(/monitoring\.alertmanager\.(sns\.topicArn|slack\.severities)/);
    }
  });

  test('plain synthesis refuses them with the same message', () => {
    const v = mergeValues(defaultValues(), PLAINTEXT_VALUES, { monitoring: { alertmanager: { enabled: true } } });
    expect(() => validateValues(v)).toThrow('monitoring.alertmanager.enabled needs a receiver');
  });
});
