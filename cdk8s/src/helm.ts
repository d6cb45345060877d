// Writes charts/gambit from the cdk8s app: every template is the YAML of one synthesized object
// (in helm mode its values are template expressions, see binding.ts); Chart.yaml, values.yaml,
// values.schema.json, the helpers and NOTES come from the declarations here and in values.ts.
// `cdk8s synth --format helm` alone would give fixed manifests without values: docs/helm.md.
import { ApiObject, App, Testing } from 'cdk8s';
import { Binding, CHART, type Release } from './binding.js';
import { ACCOUNTS_HELPERS } from './accounts.js';
import { GambitChart } from './chart.js';
import { templateFile, toYaml } from './emit.js';
import { readInputs, type ChartInputs } from './inputs.js';
import { KUBE_VERSION_RANGE, PLUS_KUBERNETES_VERSION } from './plus.js';
import { defaults, jsonSchema, type Spec } from './schema-dsl.js';
import { profiles } from './profiles.js';
import { defaultValues, valuesSpec, type Values } from './values.js';
import { TLS_HELM, TLS_VALIDATIONS } from './tls.js';
import { ALERTING_HELPERS, ALERTING_VALIDATIONS } from './alerting.js';
import { TURN_HELPERS, TURN_VALIDATIONS } from './turn.js';

const GENERATED = '# Generated from cdk8s/ (cdk8s/src/helm.ts): do not edit, run `make chart`.';

export interface Built {
  app: App;
  chart: GambitChart;
  binding: Binding;
}

/** The construct tree for one mode. Plain manifests take the (merged) values and a release. */
export function build(mode: 'helm' | 'literal', inputs: ChartInputs, values: Values = defaultValues(), release: Release = { name: 'gambit', namespace: 'default' }): Built {
  if (mode === 'literal') validateValues(values);
  const binding = new Binding(mode, values, release);
  const app = Testing.app();
  const chart = new GambitChart(app, 'gambit', binding, inputs);
  return { app, chart, binding };
}

/** The same checks the chart makes with `fail` (gambit.validate), for plain manifests. */
export function validateValues(v: Values): void {
  for (const check of VALIDATIONS) if (check.literal(v)) throw new Error(check.message);
}
const VALIDATIONS: { helm: string; literal: (v: Values) => boolean; message: string }[] = [
  {
    helm: '(and (not .Values.auth.guestTokens) (not .Values.auth.oidc.issuer) (not .Values.accounts.enabled))',
    literal: (v) => !v.auth.guestTokens && !v.auth.oidc.issuer && !v.accounts.enabled,
    message: 'with auth.guestTokens false, set auth.oidc.issuer or accounts.enabled: nobody could sign in',
  },
  {
    helm: '(and .Values.accounts.enabled (not .Values.accounts.publicUrl))',
    literal: (v) => v.accounts.enabled && !v.accounts.publicUrl,
    message: 'accounts.publicUrl is required when accounts.enabled is true: the site\'s public origin, e.g. https://chess.example.com',
  },
  {
    helm: '(and .Values.idProvider.enabled (not .Values.accounts.enabled))',
    literal: (v) => v.idProvider.enabled && !v.accounts.enabled,
    message: 'idProvider.enabled needs accounts.enabled: the accounts service is the provider\'s one client',
  },
  {
    helm: '(and .Values.idProvider.enabled (not .Values.idProvider.issuer))',
    literal: (v) => v.idProvider.enabled && !v.idProvider.issuer,
    message: 'idProvider.issuer is required when idProvider.enabled is true: the provider\'s own public origin, e.g. https://id.chess.example.com',
  },
  {
    helm: '(and .Values.idProvider.enabled (eq .Values.idProvider.issuer .Values.accounts.publicUrl))',
    literal: (v) => v.idProvider.enabled && v.idProvider.issuer === v.accounts.publicUrl,
    message: 'idProvider.issuer must differ from accounts.publicUrl: the provider needs an origin of its own',
  },
  {
    helm: '(and .Values.accounts.enabled (not .Values.idProvider.enabled) (not .Values.accounts.oidc.issuer))',
    literal: (v) => v.accounts.enabled && !v.idProvider.enabled && !v.accounts.oidc.issuer,
    message: 'accounts.enabled needs accounts.oidc.issuer (e.g. the Cognito user pool) or idProvider.enabled',
  },
  {
    helm: '(and .Values.accounts.enabled (not .Values.idProvider.enabled) (or (not .Values.accounts.oidc.clientId) (not .Values.accounts.oidc.existingSecret)))',
    literal: (v) => v.accounts.enabled && !v.idProvider.enabled && (!v.accounts.oidc.clientId || !v.accounts.oidc.existingSecret),
    message: 'accounts.oidc.issuer needs accounts.oidc.clientId and accounts.oidc.existingSecret (the Secret holding the app client secret)',
  },
  {
    helm: '(ne (empty .Values.auth.oidc.issuer) (empty .Values.auth.oidc.audience))',
    literal: (v) => !v.auth.oidc.issuer !== !v.auth.oidc.audience,
    message: 'OIDC needs both auth.oidc.issuer and auth.oidc.audience',
  },
  {
    helm: '(and (not .Values.redis.bundled.enabled) (not .Values.redis.external.host))',
    literal: (v) => !v.redis.bundled.enabled && !v.redis.external.host,
    message: 'redis.external.host is required when redis.bundled.enabled is false',
  },
  {
    helm: '(and .Values.redis.external.cluster (not .Values.redis.bundled.enabled) .Values.redis.external.readerHost)',
    literal: (v) => v.redis.external.cluster && !v.redis.bundled.enabled && v.redis.external.readerHost !== '',
    message: 'redis.external.readerHost is for a Redis with one primary: with redis.external.cluster leave it empty',
  },
  {
    helm: '(and .Values.redis.external.cluster (not .Values.redis.bundled.enabled) .Values.idProvider.enabled)',
    literal: (v) => v.redis.external.cluster && !v.redis.bundled.enabled && v.idProvider.enabled,
    message: 'idProvider (the embedded OpenID provider, for development) runs on a single Redis only: with redis.external.cluster use your own provider (accounts.oidc)',
  },
  {
    helm: '(and .Values.redis.external.replicaReads (not .Values.redis.external.cluster))',
    literal: (v) => v.redis.external.replicaReads && !v.redis.external.cluster,
    message: 'redis.external.replicaReads is for a Redis Cluster (redis.external.cluster); with one primary set redis.external.readerHost',
  },
  {
    helm: '(and .Values.redis.external.cluster .Values.redis.bundled.enabled)',
    literal: (v) => v.redis.external.cluster && v.redis.bundled.enabled,
    message: 'redis.external.cluster needs redis.bundled.enabled=false: the bundled Redis is one server',
  },
  {
    helm: '(and (eq .Values.engine.commitDurability "replicated") .Values.redis.bundled.enabled)',
    literal: (v) => v.engine.commitDurability === 'replicated' && v.redis.bundled.enabled,
    message: 'engine.commitDurability=replicated needs a Redis with a replica: the bundled Redis has none (use redis.external, with readerHost)',
  },
  {
    helm: '(and .Values.engine.autoscaling.enabled (gt (int .Values.engine.autoscaling.minReplicas) (int .Values.engine.autoscaling.maxReplicas)))',
    literal: (v) => v.engine.autoscaling.enabled && v.engine.autoscaling.minReplicas > v.engine.autoscaling.maxReplicas,
    message: 'engine.autoscaling.minReplicas must not exceed engine.autoscaling.maxReplicas',
  },
  {
    helm: '(and .Values.roomReaper.enabled .Values.roomReaper.scaler.enabled (gt (int .Values.roomReaper.scaler.minReplicas) (int .Values.roomReaper.scaler.maxReplicas)))',
    literal: (v) => v.roomReaper.enabled && v.roomReaper.scaler.enabled && v.roomReaper.scaler.minReplicas > v.roomReaper.scaler.maxReplicas,
    message: 'roomReaper.scaler.minReplicas must not exceed roomReaper.scaler.maxReplicas',
  },
  {
    helm: '(and .Values.dynamodb.local.enabled .Values.dynamodb.endpoint)',
    literal: (v) => v.dynamodb.local.enabled && v.dynamodb.endpoint !== '',
    message: 'set either dynamodb.local.enabled or dynamodb.endpoint, not both',
  },
  {
    helm: '(and .Values.gateway.nlb.certificateArn (ne .Values.gateway.service.type "LoadBalancer"))',
    literal: (v) => v.gateway.nlb.certificateArn !== '' && v.gateway.service.type !== 'LoadBalancer',
    message: 'gateway.nlb.certificateArn needs gateway.service.type LoadBalancer (TLS ends at the NLB)',
  },
  ...TLS_VALIDATIONS,
  ...ALERTING_VALIDATIONS,
  ...TURN_VALIDATIONS,
];

/** Where an object's template goes: templates/<component>/<kind>.yaml */
export function templatePath(obj: ApiObject, chart: GambitChart): string {
  const path = obj.node.scopes.slice(chart.node.scopes.length).map((s) => s.node.id);
  return `templates/${path[0]}/${obj.kind.toLowerCase()}.yaml`;
}

export function chartFiles(inputs: ChartInputs): Record<string, string> {
  const { chart, binding } = build('helm', inputs);
  const files: Record<string, string> = {};
  const docs = new Map<string, { value: unknown; cond: string }[]>();
  for (const obj of chart.node.findAll().filter((c): c is ApiObject => c instanceof ApiObject)) {
    const file = templatePath(obj, chart);
    const list = docs.get(file) ?? [];
    list.push({ value: obj.toJson(), cond: binding.conditionOf(obj).helm });
    docs.set(file, list);
  }
  for (const [file, list] of docs) {
    const header = `${GENERATED}\n${file === 'templates/gateway/configmap.yaml' ? '{{- include "gambit.validate" . }}\n' : ''}`;
    files[file] = templateFile(list, header);
  }
  files['Chart.yaml'] = chartYaml();
  files['values.yaml'] = valuesYaml();
  files['values.schema.json'] = JSON.stringify({ $schema: 'http://json-schema.org/draft-07/schema#', title: 'Gambit chart values', ...jsonSchema(valuesSpec) }, null, 2) + '\n';
  files['templates/_helpers.tpl'] = HELPERS;
  files['templates/NOTES.txt'] = NOTES;
  files['.helmignore'] = '# Generated: see cdk8s/src/helm.ts\n.DS_Store\n*.tmp\n*.orig\n';
  files['README.md'] = readme();
  if (inputs.alerts) files['files/prometheus/alerts.yml'] = inputs.alerts.text;
  for (const d of inputs.dashboards) files[`files/dashboards/${d.file}`] = d.content;
  if (inputs.controller.crd) {
    const crd = inputs.controller.crd as { metadata?: { name?: string } };
    files[`crds/${crd.metadata?.name ?? 'room-reaper'}.yaml`] = `${GENERATED}\n# The room-reaper's CRD (controllers/room-reaper/src/crd.ts): Helm installs it once, never upgrades or deletes it.\n---\n${toYaml(inputs.controller.crd)}`;
  }
  return files;
}

/** Every file of charts/gambit: the chart and the value profiles (the generator owns the whole folder). */
export async function generatedChart(): Promise<Record<string, string>> {
  const files = chartFiles(await readInputs());
  for (const p of profiles) {
    files[p.file] = `# Generated from cdk8s/src/profiles.ts: do not edit, run \`make chart\`.\n${p.comment.map((l) => `# ${l}`).join('\n')}\n${toYaml(p.values)}`;
  }
  return files;
}

function chartYaml(): string {
  return `${GENERATED}
apiVersion: v2
name: ${CHART.name}
description: Real-time chess on Kubernetes - WebSocket gateway, game engines and finalizer over Redis Streams, games in DynamoDB.
type: application
version: ${CHART.version}
appVersion: "${CHART.appVersion}"
# The preStop sleep action needs 1.30; the objects are validated against the schemas of kubernetes-models
# (test/k8s) and written with cdk8s-plus for Kubernetes ${PLUS_KUBERNETES_VERSION} API shapes.
kubeVersion: "${KUBE_VERSION_RANGE}"
keywords: [chess, websocket, redis-streams, dynamodb, eks]
annotations:
  gambit.dev/generated-by: cdk8s
`;
}

// --- values.yaml with comments ---------------------------------------------------------------------

function wrap(text: string, width: number): string[] {
  const words = text.split(/\s+/);
  const lines: string[] = [];
  let line = '';
  for (const w of words) {
    if (line && line.length + w.length + 1 > width) {
      lines.push(line);
      line = w;
    } else line = line ? `${line} ${w}` : w;
  }
  if (line) lines.push(line);
  return lines;
}

function valuesYaml(): string {
  const out: string[] = [
    GENERATED,
    '# Settings of the Gambit chart. Every key is checked by values.schema.json: unknown keys and',
    '# wrong types are refused. Profiles: values-kind.yaml (kind), values-eks.yaml (EKS). docs/helm.md.',
  ];
  const walk = (spec: Spec, key: string, indent: number, top: boolean) => {
    const pad = ' '.repeat(indent);
    if (top) out.push('');
    for (const l of wrap(spec.description, 100 - indent - 2)) out.push(`${pad}# ${l}`);
    if (spec.kind === 'object') {
      out.push(`${pad}${key}:`);
      for (const [k, child] of Object.entries(spec.props)) walk(child, k, indent + 2, false);
      return;
    }
    const value = defaults(spec);
    const yaml = toYaml({ [key]: value }).trimEnd().split('\n');
    out.push(...yaml.map((l) => pad + l));
  };
  for (const [k, child] of Object.entries(valuesSpec.props)) walk(child, k, 0, true);
  return out.join('\n') + '\n';
}

function readme(): string {
  const rows: string[] = [];
  const walk = (spec: Spec, path: string) => {
    if (spec.kind === 'object') {
      for (const [k, child] of Object.entries(spec.props)) walk(child, path ? `${path}.${k}` : k);
      return;
    }
    rows.push(`| \`${path}\` | \`${JSON.stringify(defaults(spec))}\` | ${spec.description.replace(/\|/g, '\\|')} |`);
  };
  walk(valuesSpec, '');
  return `<!-- Generated from cdk8s/ (cdk8s/src/helm.ts): do not edit, run \`make chart\`. -->
# gambit

Real-time chess on Kubernetes. This chart is generated from the cdk8s app in \`cdk8s/\`
(see docs/helm.md); install and operate it as described in docs/deploy-eks.md and docs/kind.md.

\`\`\`sh
helm install gambit charts/gambit -n gambit --create-namespace -f charts/gambit/values-eks.yaml
helm test gambit -n gambit
\`\`\`

## Values

| key | default | description |
|---|---|---|
${rows.join('\n')}
`;
}

// --- helpers and notes -----------------------------------------------------------------------------

const HELPERS = `{{/* Generated from cdk8s/ (cdk8s/src/helm.ts): do not edit, run make chart. */}}
{{/* Each helper has a TypeScript twin in cdk8s/src (Binding, chart.ts) for plain manifests. */}}

{{- define "gambit.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "gambit.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{/* (list . "gateway") -> <fullname>-gateway */}}
{{- define "gambit.component" -}}
{{- printf "%s-%s" (include "gambit.fullname" (index . 0)) (index . 1) | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "gambit.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* (list . .Values.gateway.image) -> registry/repository:tag[@digest] */}}
{{- define "gambit.image" -}}
{{- $root := index . 0 -}}
{{- $img := index . 1 -}}
{{- $registry := $img.registry | default $root.Values.image.registry -}}
{{- $tag := $img.tag | default $root.Values.image.tag | default $root.Chart.AppVersion -}}
{{- if $registry }}{{ $registry }}/{{ end }}{{ $img.repository }}:{{ $tag }}{{ if $img.digest }}@{{ $img.digest }}{{ end }}
{{- end -}}

{{- define "gambit.pullPolicy" -}}
{{- (index . 1).pullPolicy | default (index . 0).Values.image.pullPolicy -}}
{{- end -}}

{{- define "gambit.tokenSecretName" -}}
{{- .Values.auth.existingSecret | default (include "gambit.component" (list . "token")) -}}
{{- end -}}

{{/* The generated guest-token key (Ed25519, PKCS8 PEM): new on install, read back on upgrade so tokens stay valid. */}}
{{- define "gambit.signingKeyValue" -}}
{{- $existing := lookup "v1" "Secret" .Release.Namespace (include "gambit.component" (list . "token")) -}}
{{- if and $existing $existing.data (hasKey $existing.data .Values.auth.signingKeyKey) -}}
{{- index $existing.data .Values.auth.signingKeyKey -}}
{{- else -}}
{{- genPrivateKey "ed25519" | b64enc -}}
{{- end -}}
{{- end -}}

{{/* REDIS_URL; with auth it embeds $(REDIS_PASSWORD), which Kubernetes expands from the env var before it. */}}
{{- define "gambit.redisUrl" -}}
{{- $auth := ternary ":$(REDIS_PASSWORD)@" "" (ne .Values.redis.auth.existingSecret "") -}}
{{- if .Values.redis.bundled.enabled -}}
redis://{{ $auth }}{{ include "gambit.component" (list . "redis") }}:6379
{{- else -}}
{{ ternary "rediss" "redis" .Values.redis.external.tls }}://{{ $auth }}{{ .Values.redis.external.host }}:{{ .Values.redis.external.port | int64 }}
{{- end -}}
{{- end -}}

{{/* REDIS_EVENTS_URL: the reader endpoint of your Redis, with the same scheme, password and port. */}}
{{- define "gambit.redisEventsUrl" -}}
{{- $auth := ternary ":$(REDIS_PASSWORD)@" "" (ne .Values.redis.auth.existingSecret "") -}}
{{ ternary "rediss" "redis" .Values.redis.external.tls }}://{{ $auth }}{{ .Values.redis.external.readerHost }}:{{ .Values.redis.external.port | int64 }}
{{- end -}}

{{- define "gambit.dynamodbEndpoint" -}}
{{- if .Values.dynamodb.local.enabled -}}
http://{{ include "gambit.component" (list . "dynamodb") }}:8000
{{- else -}}
{{ .Values.dynamodb.endpoint }}
{{- end -}}
{{- end -}}

${ACCOUNTS_HELPERS.trim()}

${ALERTING_HELPERS.trim()}

${TURN_HELPERS.trim()}

{{/* A list of CIDRs -> NetworkPolicy peers */}}
{{- define "gambit.ipBlocks" -}}
{{- $out := list -}}
{{- range . }}{{ $out = append $out (dict "ipBlock" (dict "cidr" .)) }}{{ end -}}
{{- toYaml $out -}}
{{- end -}}

{{/* Settings the schema cannot check alone. */}}
{{- define "gambit.validate" -}}
${VALIDATIONS.map((v) => `{{- if ${v.helm} }}{{ fail ${JSON.stringify(v.message)} }}{{ end }}`).join('\n')}
{{- end -}}
`;

// Room shards against engines (issue 16). Engines own room shards by rendezvous hashing
// (docs/architecture.md, "Engines owning room shards"): with fewer than about four shards per engine,
// some own none and sit idle, and roomShards cannot change after the install, so NOTES says so at
// each install and upgrade (a raised maxReplicas too). One shard is split by nobody (every engine
// reads it: no affinity), a deliberate default: a note, not a warning. A single engine gets every
// room anyway: nothing to say. The most engines: the HPA's maxReplicas, or replicas without it.
const ROOM_SHARDS_NOTES = `{{- $engines := int (ternary .Values.engine.autoscaling.maxReplicas .Values.engine.replicas .Values.engine.autoscaling.enabled) }}
{{- $enginesKey := ternary "engine.autoscaling.maxReplicas" "engine.replicas" .Values.engine.autoscaling.enabled }}
{{- $shards := int .Values.roomShards }}
{{- if and (gt $engines 1) (lt $shards (mul 4 $engines)) }}
{{- if eq $shards 1 }}

Note: roomShards=1, so room affinity is off: every engine reads the one room shard, and a move may find
  its room on another engine (more Redis reads and engine CPU). Affinity needs roomShards of at least
  4 x {{ $enginesKey }} ({{ mul 4 $engines }}); roomShards is fixed for the life of an install
  (docs/operations.md, Scaling).
{{- else }}

WARNING: roomShards={{ $shards }} is below 4 x {{ $enginesKey }} ({{ mul 4 $engines }}).
  Engines own room shards by rendezvous hashing: at full scale {{ if lt $shards $engines }}at least {{ sub $engines $shards }} of the {{ $engines }} engines{{ else }}some engines may{{ end }}
  own no shard and sit idle. roomShards is fixed for the life of an install: lower {{ $enginesKey }},
  or give the next install more shards (docs/operations.md, Scaling).
{{- end }}
{{- end }}`;

const NOTES = `Gambit {{ .Chart.AppVersion }} is installed: release {{ .Release.Name }}, namespace {{ .Release.Namespace }}.
{{- $gw := include "gambit.component" (list . "gateway") }}

Play:
{{- if eq .Values.gateway.service.type "LoadBalancer" }}
  The NLB gets its address within a few minutes:
    kubectl -n {{ .Release.Namespace }} get service {{ $gw }} -o jsonpath='{.status.loadBalancer.ingress[0].hostname}{"\\n"}'
{{- if ${TLS_HELM.on} }}
  then point your certificate's DNS name at it (a CNAME or a Route 53 alias) and open https://YOUR-NAME/
  (the socket is wss://YOUR-NAME/ws; TLS ends at the NLB with gateway.nlb.certificateArn)
{{- else }}
  then open http://THAT-ADDRESS{{ if ne (int .Values.gateway.service.port) 80 }}:{{ .Values.gateway.service.port }}{{ end }}/
{{- end }}
{{- else if eq .Values.gateway.service.type "NodePort" }}
  http://localhost:8080/ on kind with infra/kind/cluster.yaml (it maps node port 30080 there; make kind-up),
  elsewhere http://ANY-NODE-ADDRESS:{{ .Values.gateway.service.nodePort }}/
{{- else }}
    kubectl -n {{ .Release.Namespace }} port-forward service/{{ $gw }} 8080:{{ .Values.gateway.service.port }}
  then open http://localhost:8080/
{{- end }}
  Open it in two tabs: create a game in one, join with its code in the other.

Check the release (a pod plays the protocol's ping through the gateway Service):
  helm test {{ .Release.Name }} -n {{ .Release.Namespace }}

Dashboards and alerts:
{{- if .Values.monitoring.dashboards.enabled }}
  Grafana dashboards: ConfigMaps labelled grafana_dashboard=1 in namespace {{ .Values.monitoring.dashboards.namespace | default .Release.Namespace }};
  the Grafana sidecar loads them{{ with .Values.monitoring.dashboards.annotations.grafana_folder }} (folder {{ . }}){{ end }}. Reach Grafana with e.g.
    kubectl -n monitoring port-forward service/kube-prometheus-stack-grafana 3000:80
{{- else }}
  Grafana dashboards are off (monitoring.dashboards.enabled=true to ship them).
{{- end }}
{{- if .Values.monitoring.serviceMonitor.enabled }}
  Prometheus scrapes every component through ServiceMonitors (label selector: {{ toJson .Values.monitoring.serviceMonitor.labels }}).
{{- else }}
  ServiceMonitors are off (monitoring.serviceMonitor.enabled=true); /metrics is on each component.
{{- end }}
{{- if .Values.monitoring.prometheusRule.enabled }}
  Alert rules: PrometheusRule {{ include "gambit.component" (list . "alerts") }}; runbooks in docs/operations.md.
{{- end }}
{{- if .Values.monitoring.alertmanager.enabled }}
  Alertmanager configuration: Secret {{ include "gambit.component" (list . "alertmanager") }} in namespace {{ .Values.monitoring.alertmanager.namespace | default .Release.Namespace }}
  (key alertmanager.yaml; kube-prometheus-stack: alertmanager.alertmanagerSpec.configSecret={{ include "gambit.component" (list . "alertmanager") }}
  {{- with .Values.monitoring.alertmanager.existingSecret }} and alertmanager.alertmanagerSpec.secrets={ {{- . -}} }{{ end }}).
{{- end }}
{{- if .Values.accounts.enabled }}

Accounts: players sign in at {{ .Values.accounts.publicUrl }}/auth/login, with {{ include "gambit.accountsIssuer" . }}.
{{- if .Values.idProvider.enabled }}
  The embedded id-provider must answer at {{ .Values.idProvider.issuer }} for browsers and pods alike: point that
  name at its Service {{ include "gambit.component" (list . "id-provider") }}
  {{- if eq .Values.idProvider.service.type "LoadBalancer" }} (its NLB:
    kubectl -n {{ .Release.Namespace }} get service {{ include "gambit.component" (list . "id-provider") }} -o jsonpath='{.status.loadBalancer.ingress[0].hostname}{"\\n"}'){{ end }}.
  It is for development and small installs; production signs in with Cognito (docs/deploy-eks.md).
{{- end }}
{{- end }}
{{- if .Values.turn.enabled }}
{{- $turn := include "gambit.component" (list . "turn") }}

Video calls: coturn runs on the host network, one pod per node ({{ .Values.turn.replicas }}), each at its node's public address.
  Players get {{ join ", " .Values.turn.urls }}.
  Point that host name at those addresses (or let external-dns do it through the headless Service
  {{ $turn }}, docs/deploy-eks.md):
    kubectl -n {{ .Release.Namespace }} get pods -l app.kubernetes.io/instance={{ .Release.Name }},app.kubernetes.io/component=turn -o wide
    kubectl get nodes -o custom-columns='NAME:.metadata.name,PUBLIC:.status.addresses[?(@.type=="ExternalIP")].address'
  The nodes' security group must let players in on UDP and TCP {{ .Values.turn.port }}, UDP {{ .Values.turn.relayPorts.min }}-{{ .Values.turn.relayPorts.max }}
  {{- if .Values.turn.tls.existingSecret }} and TCP {{ .Values.turn.tls.port }}{{ end }}
  {{- if .Values.turn.metrics.enabled }}, and keep {{ .Values.turn.metrics.port }} (metrics) closed to them{{ end }}.
{{- end }}
{{- if ${TLS_HELM.publicPlain} }}

WARNING: gateway.tls.allowPlaintext=true: players reach the gateway over plain http:// and ws://
  ({{ .Values.gateway.service.type }} Service, port {{ ternary .Values.gateway.service.nodePort .Values.gateway.service.port (eq .Values.gateway.service.type "NodePort") }}). Moves, socket tokens and session cookies cross the network
  unencrypted. Fine on a laptop (kind); anywhere else set gateway.nlb.certificateArn (docs/deploy-eks.md)
  and leave allowPlaintext false.
{{- end }}
{{- if .Values.redis.bundled.enabled }}

Note: Redis is the bundled development instance (one pod, no failover). Use ElastiCache for production
(redis.bundled.enabled=false, redis.external.host=...; values-eks.yaml).
{{- end }}
${ROOM_SHARDS_NOTES}
`;
