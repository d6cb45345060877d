// The settings of monitoring.alertmanager: an Alertmanager configuration that routes Gambit's alert
// rules (observability/prometheus/alerts.yml) by their severity label to email, Slack and SNS.
// Declared apart from values.ts to keep that file readable; docs/operations.md explains the path.
import { bool, obj, raw, str } from './schema-dsl.js';

const severities = (what: string, def: string[]) =>
  raw<string[]>(`Severities (the rules' severity label) that ${what} receives.`, def, {
    type: 'array', uniqueItems: true, items: { type: 'string', enum: ['critical', 'warning'] },
  });
const duration = { pattern: '^[0-9]+(s|m|h)$' };
const keyName = { pattern: '^[-._a-zA-Z0-9]+$' };

export const alertmanagerValues = obj('An Alertmanager configuration (alertmanager.yaml in a Secret): for the Prometheus Operator\'s Alertmanager (kube-prometheus-stack: alertmanager.alertmanagerSpec.configSecret) or a standalone one. It is the whole configuration of that Alertmanager: alerts with severity critical or warning (Gambit\'s and the cluster\'s) go to the receivers below, the rest nowhere. docs/operations.md.', {
  enabled: bool('Create the Secret <release>-gambit-alertmanager with alertmanager.yaml.', false),
  namespace: str('Namespace of the Secret: the Alertmanager\'s (kube-prometheus-stack: monitoring); empty: the release namespace.', ''),
  existingSecret: str('Secret with the credentials (the Slack webhook URL, the SMTP password), mounted into the Alertmanager pods (kube-prometheus-stack: alertmanager.alertmanagerSpec.secrets). Never in values.', '', { pattern: '^$|^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$' }),
  secretsDir: str('Where Alertmanager sees the mounted Secrets: the Prometheus Operator mounts each at /etc/alertmanager/secrets/NAME.', '/etc/alertmanager/secrets', { pattern: '^/[^\\s]*[^/\\s]$' }),
  runbookBaseUrl: str('Put before each rule\'s runbook annotation (docs/operations.md#...) in the messages, e.g. https://github.com/your-org/gambit/blob/main/.', '', { pattern: '^$|^https?://[^\\s"]+/$' }),
  groupWait: str('How long the first alert of a group waits for others.', '30s', duration),
  groupInterval: str('How long before a changed group is sent again.', '5m', duration),
  repeatInterval: str('How often a firing group is sent again.', '4h', duration),
  email: obj('Email (SMTP).', {
    enabled: bool('Send email.', false),
    severities: severities('email', ['critical', 'warning']),
    to: str('Recipient(s), comma-separated.', ''),
    from: str('Sender address.', ''),
    smarthost: str('SMTP server host:port (Amazon SES: email-smtp.REGION.amazonaws.com:587).', '', { pattern: '^$|^[A-Za-z0-9.-]+:[0-9]{1,5}$' }),
    authUsername: str('SMTP user; empty: no authentication.', ''),
    passwordKey: str('Key of the SMTP password in existingSecret (with authUsername).', 'smtp-password', keyName),
    requireTls: bool('STARTTLS required.', true),
  }),
  slack: obj('Slack (an incoming webhook).', {
    enabled: bool('Send to Slack.', false),
    severities: severities('Slack', ['critical', 'warning']),
    channel: str('Channel (the webhook\'s own channel when empty).', ''),
    webhookUrlKey: str('Key of the webhook URL in existingSecret.', 'slack-webhook-url', keyName),
  }),
  sns: obj('Amazon SNS (a topic with email, SMS or a paging service subscribed; infra/aws/alerts.yaml creates one). Alertmanager signs with its pod\'s AWS credentials (IRSA, Pod Identity).', {
    enabled: bool('Publish to SNS.', false),
    severities: severities('SNS', ['critical']),
    topicArn: str('Topic ARN (the AlertTopicArn output of infra/aws/alerts.yaml).', '', { pattern: '^$|^arn:aws[a-z-]*:sns:[a-z0-9-]+:[0-9]{12}:[A-Za-z0-9_-]+$' }),
    region: str('AWS region of the topic.', '', { pattern: '^$|^[a-z]{2}(-[a-z]+)+-[0-9]$' }),
    roleArn: str('IAM role to assume for publishing; empty: the pod\'s own credentials.', '', { pattern: '^$|^arn:aws[a-z-]*:iam::[0-9]{12}:role/' }),
  }),
});
