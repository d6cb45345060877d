// Alerts that reach a person: the Alertmanager configuration the chart ships (monitoring.alertmanager),
// as a Secret holding alertmanager.yaml. Routes by the rules' severity label (critical, warning) to
// email, Slack and SNS; credentials are files from a mounted Secret (api_url_file,
// auth_password_file), never values. A plain alertmanager.yaml rather than an AlertmanagerConfig
// resource: the Prometheus Operator adds a namespace matcher to those, and the rules that
// aggregate (sum(up{...}) == 0, absent(...)) fire without a namespace label, so they would never
// match. The Helm helper and its TypeScript twin build the same document; test/k8s/alerting.test.ts
// checks both agree and runs amtool check-config on the result.
import type { Construct } from 'constructs';
import type { Binding } from './binding.js';
import { toYaml } from './emit.js';
import { raw } from './raw.js';
import type { Values } from './values.js';

export const SEVERITIES = ['critical', 'warning'] as const;

/** The message of Slack and SNS: each alert's summary, description and runbook. */
const TEXT = (runbookBase: string) =>
  '{{ range .Alerts }}*{{ .Annotations.summary }}*\n{{ .Annotations.description }}\n'
  + `{{ with .Annotations.runbook }}Runbook: ${runbookBase}{{ . }}\n{{ else }}{{ with .Annotations.runbook_url }}Runbook: {{ . }}\n{{ end }}{{ end }}{{ end }}`;

type Doc = Record<string, unknown>;

/** alertmanager.yaml for these values (the twin of the gambit.alertmanagerConfig helper). */
export function alertmanagerConfig(v: Values): Doc {
  const am = v.monitoring.alertmanager;
  const secrets = `${am.secretsDir}/${am.existingSecret}`;
  const text = TEXT(am.runbookBaseUrl);
  const receivers: Doc[] = [{ name: 'null' }];
  for (const sev of SEVERITIES) {
    const r: Doc = { name: `gambit-${sev}` };
    if (am.email.enabled && am.email.severities.includes(sev)) {
      const e: Doc = { to: am.email.to, from: am.email.from, smarthost: am.email.smarthost, require_tls: am.email.requireTls, send_resolved: true };
      if (am.email.authUsername) Object.assign(e, { auth_username: am.email.authUsername, auth_password_file: `${secrets}/${am.email.passwordKey}` });
      r.email_configs = [e];
    }
    if (am.slack.enabled && am.slack.severities.includes(sev)) {
      const s: Doc = { api_url_file: `${secrets}/${am.slack.webhookUrlKey}`, send_resolved: true, text };
      if (am.slack.channel) s.channel = am.slack.channel;
      r.slack_configs = [s];
    }
    if (am.sns.enabled && am.sns.severities.includes(sev)) {
      const sigv4: Doc = { region: am.sns.region };
      if (am.sns.roleArn) sigv4.role_arn = am.sns.roleArn;
      r.sns_configs = [{ topic_arn: am.sns.topicArn, sigv4, message: text, send_resolved: true }];
    }
    receivers.push(r);
  }
  return {
    route: {
      receiver: 'null',
      group_by: ['alertname', 'namespace', 'component'],
      group_wait: am.groupWait,
      group_interval: am.groupInterval,
      repeat_interval: am.repeatInterval,
      routes: SEVERITIES.map((sev) => ({ matchers: [`severity="${sev}"`], receiver: `gambit-${sev}` })),
    },
    receivers,
  };
}

/** The same document built by Helm at install time. */
export const ALERTING_HELPERS = `
{{/* alertmanager.yaml (monitoring.alertmanager); twin: alertmanagerConfig in cdk8s/src/alerting.ts. */}}
{{- define "gambit.alertmanagerConfig" -}}
{{- $am := .Values.monitoring.alertmanager -}}
{{- $secrets := printf "%s/%s" $am.secretsDir $am.existingSecret -}}
{{- $text := printf ${JSON.stringify(TEXT('%s'))} $am.runbookBaseUrl -}}
{{- $receivers := list (dict "name" "null") -}}
{{- $routes := list -}}
{{- range $sev := list ${SEVERITIES.map((s) => JSON.stringify(s)).join(' ')} -}}
{{- $r := dict "name" (printf "gambit-%s" $sev) -}}
{{- if and $am.email.enabled (has $sev $am.email.severities) -}}
{{- $e := dict "to" $am.email.to "from" $am.email.from "smarthost" $am.email.smarthost "require_tls" $am.email.requireTls "send_resolved" true -}}
{{- if $am.email.authUsername -}}
{{- $_ := set $e "auth_username" $am.email.authUsername -}}
{{- $_ := set $e "auth_password_file" (printf "%s/%s" $secrets $am.email.passwordKey) -}}
{{- end -}}
{{- $_ := set $r "email_configs" (list $e) -}}
{{- end -}}
{{- if and $am.slack.enabled (has $sev $am.slack.severities) -}}
{{- $s := dict "api_url_file" (printf "%s/%s" $secrets $am.slack.webhookUrlKey) "send_resolved" true "text" $text -}}
{{- if $am.slack.channel }}{{ $_ := set $s "channel" $am.slack.channel }}{{ end -}}
{{- $_ := set $r "slack_configs" (list $s) -}}
{{- end -}}
{{- if and $am.sns.enabled (has $sev $am.sns.severities) -}}
{{- $sigv4 := dict "region" $am.sns.region -}}
{{- if $am.sns.roleArn }}{{ $_ := set $sigv4 "role_arn" $am.sns.roleArn }}{{ end -}}
{{- $_ := set $r "sns_configs" (list (dict "topic_arn" $am.sns.topicArn "sigv4" $sigv4 "message" $text "send_resolved" true)) -}}
{{- end -}}
{{- $receivers = append $receivers $r -}}
{{- $routes = append $routes (dict "matchers" (list (printf "severity=%q" $sev)) "receiver" (printf "gambit-%s" $sev)) -}}
{{- end -}}
{{- $route := dict "receiver" "null" "group_by" (list "alertname" "namespace" "component") "group_wait" $am.groupWait "group_interval" $am.groupInterval "repeat_interval" $am.repeatInterval "routes" $routes -}}
{{- toYaml (dict "route" $route "receivers" $receivers) -}}
{{- end -}}
`;

/** Checks for gambit.validate (helm.ts): the Helm condition, its TypeScript twin, the message. */
const AM = '.Values.monitoring.alertmanager';
export const ALERTING_VALIDATIONS: { helm: string; literal: (v: Values) => boolean; message: string }[] = [
  {
    helm: `(and ${AM}.enabled (not (or ${AM}.email.enabled ${AM}.slack.enabled ${AM}.sns.enabled)))`,
    literal: (v) => { const a = v.monitoring.alertmanager; return a.enabled && !a.email.enabled && !a.slack.enabled && !a.sns.enabled; },
    message: 'monitoring.alertmanager.enabled needs a receiver: monitoring.alertmanager.email, .slack or .sns enabled',
  },
  {
    helm: `(and ${AM}.enabled (or ${AM}.slack.enabled ${AM}.email.authUsername) (not ${AM}.existingSecret))`,
    literal: (v) => { const a = v.monitoring.alertmanager; return a.enabled && (a.slack.enabled || a.email.authUsername !== '') && !a.existingSecret; },
    message: 'monitoring.alertmanager.slack and email.authUsername need monitoring.alertmanager.existingSecret: the Secret with the webhook URL or SMTP password, mounted into Alertmanager',
  },
  {
    helm: `(and ${AM}.enabled ${AM}.email.enabled (or (not ${AM}.email.to) (not ${AM}.email.from) (not ${AM}.email.smarthost)))`,
    literal: (v) => { const e = v.monitoring.alertmanager.email; return v.monitoring.alertmanager.enabled && e.enabled && (!e.to || !e.from || !e.smarthost); },
    message: 'monitoring.alertmanager.email needs to, from and smarthost',
  },
  {
    helm: `(and ${AM}.enabled ${AM}.sns.enabled (or (not ${AM}.sns.topicArn) (not ${AM}.sns.region)))`,
    literal: (v) => { const s = v.monitoring.alertmanager.sns; return v.monitoring.alertmanager.enabled && s.enabled && (!s.topicArn || !s.region); },
    message: 'monitoring.alertmanager.sns needs topicArn and region',
  },
];

/** The Secret: alertmanager.yaml, in the Alertmanager's namespace. */
export function alertmanagerSecret(scope: Construct, b: Binding, labels: Record<string, string>): void {
  const ns = b.computed('default .Release.Namespace .Values.monitoring.alertmanager.namespace', b.values.monitoring.alertmanager.namespace || b.release.namespace);
  raw(scope, 'alertmanager', {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: b.s(b.name('alertmanager')), namespace: b.s(ns), labels, ...b.annotations() },
    type: 'Opaque',
    stringData: { 'alertmanager.yaml': b.textOf('include "gambit.alertmanagerConfig" .', toYaml(alertmanagerConfig(b.values)).replace(/\n$/, '')) },
  });
}
