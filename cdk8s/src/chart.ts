// Every Kubernetes object of Gambit, built once with cdk8s (+ cdk8s-plus-28) against a Binding:
// the same tree becomes the Helm chart (helm.ts) and plain manifests (Testing.synth, main.ts synth).
import { generateKeyPairSync } from 'node:crypto';
import { Chart, JsonPatch } from 'cdk8s';
import { postPatch, seg } from './patch.js';
import { Construct } from 'constructs';
import * as kplus from './plus.js';
import { type Binding, type Cond, present } from './binding.js';
import { FALLBACK_RULES, type ChartInputs } from './inputs.js';
import { raw } from './raw.js';
import { containerSecurity, disruptionBudget, serviceAccount, workload } from './workload.js';
import type { Values } from './values.js';
import { Accounts, accountsNetworkPolicies, accountsOn, idProviderOn, tokensSigned } from './accounts.js';
import { IdProvider } from './id-provider.js';
import { Turn, turnGatewayConfig, turnGatewayEnv, turnNetworkPolicy, turnOn } from './turn.js';
import { PORTS, UIDS, clusterService, configChecksum, configMap, dynamoEndpoint, meta, redisEnv, redisEventsEnv, redisEventsFromReplicasEnv, tokenSecretName } from './parts.js';
import { tlsConds } from './tls.js';
import { alertmanagerSecret } from './alerting.js';

export { PORTS, UIDS, redisUrl, tokenSecretName, dynamoEndpoint } from './parts.js';
/** Components as the metrics and alert rules name them (observability/prometheus/alerts.yml). */
export const COMPONENTS = ['gateway', 'game-engine', 'finalizer', 'room-reaper'] as const;

export class GambitChart extends Chart {
  readonly b: Binding;
  readonly inputs: ChartInputs;

  constructor(scope: Construct, id: string, b: Binding, inputs: ChartInputs) {
    super(scope, id, { disableResourceNameHashes: true, ...(b.helm ? {} : { namespace: b.release.namespace }) });
    this.b = b;
    this.inputs = inputs;
    new TokenSecret(this, 'token', b);
    new Gateway(this, 'gateway', b);
    new Engine(this, 'game-engine', b);
    new Finalizer(this, 'finalizer', b);
    b.optional(b.truthy((v) => v.roomReaper.enabled), this, 'room-reaper', (s) => new RoomReaper(s, 'room-reaper', b, inputs));
    b.optional(accountsOn(b), this, 'accounts', (s) => new Accounts(s, 'accounts', b));
    b.optional(idProviderOn(b), this, 'id-provider', (s) => new IdProvider(s, 'id-provider', b));
    b.optional(turnOn(b), this, 'turn', (s) => new Turn(s, 'turn', b));
    b.optional(b.truthy((v) => v.redis.bundled.enabled), this, 'redis', (s) => new BundledRedis(s, 'redis', b));
    b.optional(b.truthy((v) => v.dynamodb.local.enabled), this, 'dynamodb', (s) => new DynamoDbLocal(s, 'dynamodb', b));
    b.optional(b.truthy((v) => v.networkPolicy.enabled), this, 'network', (s) => new NetworkPolicies(s, 'network', b));
    new Monitoring(this, 'monitoring', b, inputs);
    b.optional(b.and(b.helmOnly, b.truthy((v) => v.tests.enabled)), this, 'tests', (s) => new HelmTest(s, 'tests', b, inputs));
  }
}

// --- token secret --------------------------------------------------------------------------------

/** The socket-token signing key (guest tokens, the accounts service's tokens), unless the operator brings a Secret (auth.existingSecret). */
class TokenSecret extends Construct {
  constructor(scope: Construct, id: string, b: Binding) {
    super(scope, id);
    b.optional(b.and(tokensSigned(b), b.not(b.truthy((v) => v.auth.existingSecret))), this, 'generated', (s) => {
      raw(s, 'secret', {
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: meta(b, 'token'),
        type: 'Opaque',
        // Helm: a new Ed25519 key on install, the same on every upgrade (lookup); plain manifests: new per synth.
        data: { [b.s((v) => v.auth.signingKeyKey)]: b.s(b.computed('include "gambit.signingKeyValue" .', Buffer.from(newSigningKey()).toString('base64'))) },
      });
    });
  }
}
/**
 * The OpenTelemetry settings of a service that traces (gateway, engine, finalizer), present only
 * when tracing.otlpEndpoint is set: the services read the standard OTEL_* variables
 * (docs/configuration.md), so an operator can add more of them (headers, batch sizes) by env.
 */
function tracingConfig(b: Binding): [string, string, Cond][] {
  const on = b.truthy((v) => v.tracing.otlpEndpoint);
  return [
    ['OTEL_EXPORTER_OTLP_ENDPOINT', b.s((v) => v.tracing.otlpEndpoint), on],
    ['OTEL_TRACES_SAMPLER', b.s((v) => v.tracing.sampler), on],
    ['OTEL_TRACES_SAMPLER_ARG', b.s((v) => v.tracing.samplerArg), on],
  ];
}
function newSigningKey(): string {
  return generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
}
// --- gateway ---------------------------------------------------------------------------------------

class Gateway extends Construct {
  constructor(scope: Construct, id: string, b: Binding) {
    super(scope, id);
    const c = 'gateway';
    const g = (v: Values) => v.gateway;
    const web = b.truthy((v) => v.web.enabled);
    // the key that checks socket tokens: the gateway's own guest tokens and the accounts service's
    const signed = tokensSigned(b);
    const sa = serviceAccount(this, b, c, (v) => g(v).serviceAccount.annotations);
    const cm = configMap(this, b, c, b.map<string>([
      ['LOG_LEVEL', b.s((v) => v.logLevel)],
      ['KEY_PREFIX', b.s((v) => v.keyPrefix)],
      ['ROOM_SHARDS', b.envInt((v) => v.roomShards)],
      ['PORT', String(PORTS.gateway)],
      ['HOST', '0.0.0.0'],
      ['GUEST_TOKENS', b.s((v) => v.auth.guestTokens)],
      ['TOKEN_TTL_SECONDS', b.envInt((v) => v.auth.tokenTtlSeconds)],
      ['OIDC_ISSUER', b.s((v) => v.auth.oidc.issuer)],
      ['OIDC_AUDIENCE', b.s((v) => v.auth.oidc.audience)],
      ['OIDC_JWKS_URL', b.s((v) => v.auth.oidc.jwksUrl)],
      ['OIDC_JWKS_COOLDOWN_MS', b.envInt((v) => v.auth.oidc.jwksCooldownMs)],
      ['OIDC_TOKEN_USE', b.s((v) => v.auth.oidc.tokenUse)],
      ['ALLOWED_ORIGINS', b.s(b.computed('join "," .Values.auth.allowedOrigins', b.values.auth.allowedOrigins.join(',')))],
      ['MAX_CONNECTIONS_PER_IP', b.envInt((v) => g(v).maxConnectionsPerIp)],
      ['TRUST_CLOUDFRONT_VIEWER_ADDRESS', b.s((v) => g(v).trustCloudFrontViewerAddress)],
      ['JOIN_RATE_PER_MIN', b.envInt((v) => g(v).joinRatePerMin)],
      ['HELLO_TIMEOUT_MS', b.envInt((v) => g(v).helloTimeoutMs)],
      ['HEARTBEAT_MS', b.envInt((v) => g(v).heartbeatMs)],
      ['RATE_PER_SEC', b.envInt((v) => g(v).ratePerSec)],
      ['RATE_BURST', b.envInt((v) => g(v).rateBurst)],
      ['RATE_STRIKES', b.envInt((v) => g(v).rateStrikes)],
      ['DRAIN_MS', b.envInt((v) => g(v).drainMs)],
      ['WS_COMPRESSION', b.s((v) => g(v).wsCompression)],
      ['PRESENCE_POLL_MS', b.envInt((v) => g(v).presencePollMs)],
      ['CHAT_WORD_FILTER', b.s(b.computed('join "," .Values.gateway.chatWordFilter', b.values.gateway.chatWordFilter.join(',')))],
      ['WEB_ROOT', b.s(b.computed('ternary "/web" "" .Values.web.enabled', b.values.web.enabled ? '/web' : ''))],
      ['FINALIZER_URL', b.cat('http://', b.name('finalizer'), `:${PORTS.finalizer}`)],
      // the gateway proxies /auth/*, /api/session, /api/account*, /api/users/* there
      ['ACCOUNTS_URL', b.cat('http://', b.name('accounts'), `:${PORTS.accounts}`), accountsOn(b)],
      // video calls: the ICE servers the gateway hands each player (turn.ts)
      ...turnGatewayConfig(b),
      // traces to a collector, when tracing.otlpEndpoint is set
      ...tracingConfig(b),
    ]));
    const drainSeconds = (v: Values) => Math.ceil(v.gateway.drainMs / 1000);
    const grace = b.computed('add .Values.gateway.preStopSleepSeconds (div (add .Values.gateway.drainMs 999) 1000) 10', b.values.gateway.preStopSleepSeconds + drainSeconds(b.values) + 10);
    const d = workload(this, b, {
      component: c,
      settings: g,
      user: UIDS.gambit,
      serviceAccount: sa,
      replicas: b.n((v) => g(v).replicas),
      // the ConnectionScaler owns the replica count when it exists (as an HPA would)
      replicasCond: b.not(scalerOn(b)),
      terminationGracePeriodSeconds: b.n(grace),
      podAnnotations: configChecksum(b, c, cm),
      container: {
        name: c,
        ports: [{ name: 'http', number: PORTS.gateway }],
        configMap: cm,
        env: { GATEWAY_ID: kplus.EnvValue.fromFieldRef(kplus.EnvFieldPaths.POD_NAME) },
        conditionalEnv: [
          ...redisEnv(b),
          redisEventsEnv(b),
          redisEventsFromReplicasEnv(b),
          {
            cond: signed,
            name: 'TOKEN_SIGNING_KEY',
            valueFrom: { secretKeyRef: { name: b.s(tokenSecretName(b)), key: b.s((v) => v.auth.signingKeyKey) } },
          },
          {
            cond: signed,
            name: 'TOKEN_VERIFY_KEYS',
            valueFrom: { secretKeyRef: { name: b.s(tokenSecretName(b)), key: b.s((v) => v.auth.verifyKeysKey), optional: true } },
          },
          ...turnGatewayEnv(b),
        ],
        health: { live: { path: '/healthz', port: PORTS.gateway }, ready: { path: '/readyz', port: PORTS.gateway }, startupSeconds: 30 },
        preStopSleepSeconds: b.n((v) => g(v).preStopSleepSeconds),
      },
    });
    this.addWebClient(d, b, web);

    const ann = this.serviceAnnotations(b);
    const lb = b.eq((v) => g(v).service.type, 'LoadBalancer');
    const tls = b.and(lb, b.truthy((v) => g(v).nlb.certificateArn));
    // with TLS the plain port goes, unless the operator keeps it (gateway.tls.allowPlaintext)
    const { plain } = tlsConds(b);
    raw(this, 'service', {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: b.s(b.name(c)), labels: b.labels(c), ...b.annotations(ann, (v) => g(v).service.annotations) },
      spec: b.map<unknown>([
        ['type', b.s((v) => g(v).service.type)],
        ['selector', b.selector(c)],
        ['ports', present([
          b.item(plain, b.map<unknown>([
            ['name', 'http'],
            ['port', b.n((v) => g(v).service.port)],
            ['targetPort', 'http'],
            ['protocol', 'TCP'],
            ['nodePort', b.n((v) => g(v).service.nodePort), b.eq((v) => g(v).service.type, 'NodePort')],
          ])),
          b.item(tls, { name: 'https', port: 443, targetPort: 'http', protocol: 'TCP' }),
        ])],
        ['loadBalancerSourceRanges', b.yaml((v) => g(v).service.loadBalancerSourceRanges), b.and(lb, b.truthy((v) => g(v).service.loadBalancerSourceRanges))],
      ]),
    });
    disruptionBudget(this, b, c, (v) => g(v).pdb);
  }

  /** The client files: an init container copies them from the web image into an emptyDir. */
  private addWebClient(d: kplus.Deployment, b: Binding, web: Cond) {
    const init = {
      name: 'web',
      image: b.image((v) => v.web.image),
      imagePullPolicy: b.pullPolicy((v) => v.web.image),
      args: ['/web'],
      securityContext: {
        runAsNonRoot: true, runAsUser: UIDS.gambit, runAsGroup: UIDS.gambit, readOnlyRootFilesystem: true,
        allowPrivilegeEscalation: false, privileged: false, capabilities: { drop: ['ALL'] }, seccompProfile: { type: 'RuntimeDefault' },
      },
      resources: { requests: { cpu: '10m', memory: '32Mi' }, limits: { memory: '64Mi' } },
      volumeMounts: [{ name: 'web', mountPath: '/web' }],
    };
    const add = (path: string, key: string, value: unknown) => {
      const k = b.helm ? `@@if ${web.helm}@@${key}` : key;
      if (b.helm || web.literal) postPatch(d, JsonPatch.add(`${path}/${seg(k)}`, value));
    };
    add('/spec/template/spec', 'initContainers', [init]);
    // volumes and mounts are lists cdk8s-plus already wrote: append conditional items
    const vol = b.item(web, { name: 'web', emptyDir: { sizeLimit: '64Mi' } });
    if (vol) postPatch(d, JsonPatch.add('/spec/template/spec/volumes/-', vol));
    const mount = b.item(web, { name: 'web', mountPath: '/web', readOnly: true });
    if (mount) postPatch(d, JsonPatch.add('/spec/template/spec/containers/0/volumeMounts/-', mount));
  }

  /** AWS Load Balancer Controller annotations: NLB, IP targets, health checks, drain, TLS. */
  private serviceAnnotations(b: Binding): Record<string, string> {
    const n = (v: Values) => v.gateway.nlb;
    const nlb = b.and(b.eq((v) => v.gateway.service.type, 'LoadBalancer'), b.truthy((v) => n(v).enabled));
    const cert = b.and(nlb, b.truthy((v) => n(v).certificateArn));
    const a = 'service.beta.kubernetes.io/aws-load-balancer-';
    const v0 = b.values;
    // Deregistration delay: the preStop sleep plus the drain window plus a margin, so the NLB keeps
    // forwarding a connection until the gateway has closed it (then terminates what is left).
    const delay = b.computed(
      'add .Values.gateway.preStopSleepSeconds (div (add .Values.gateway.drainMs 999) 1000) 5',
      v0.gateway.preStopSleepSeconds + Math.ceil(v0.gateway.drainMs / 1000) + 5,
    );
    const extra = b.truthy((v) => n(v).extraTargetGroupAttributes);
    const tgAttrs = b.helm
      ? `deregistration_delay.timeout_seconds={{ ${delay.helm} }},deregistration_delay.connection_termination.enabled=true,preserve_client_ip.enabled=true{{ if ${extra.helm} }},{{ .Values.gateway.nlb.extraTargetGroupAttributes }}{{ end }}`
      : `deregistration_delay.timeout_seconds=${delay.literal},deregistration_delay.connection_termination.enabled=true,preserve_client_ip.enabled=true${extra.literal ? ',' + v0.gateway.nlb.extraTargetGroupAttributes : ''}`;
    return b.map<string>([
      [`${a}type`, 'external', nlb],
      [`${a}nlb-target-type`, 'ip', nlb],
      [`${a}scheme`, b.s((v) => n(v).scheme), nlb],
      [`${a}backend-protocol`, 'tcp', nlb],
      [`${a}healthcheck-protocol`, 'http', nlb],
      [`${a}healthcheck-path`, '/readyz', nlb],
      [`${a}healthcheck-port`, 'traffic-port', nlb],
      [`${a}healthcheck-interval`, '10', nlb],
      [`${a}healthcheck-healthy-threshold`, '2', nlb],
      [`${a}healthcheck-unhealthy-threshold`, '2', nlb],
      [`${a}attributes`, b.cat('load_balancing.cross_zone.enabled=', b.v((v) => n(v).crossZone)), nlb],
      [`${a}target-group-attributes`, tgAttrs, nlb],
      // the plain listener only: AWS fixes the TLS listener's idle timeout at 350 s
      [b.cat(`${a}listener-attributes.TCP-`, b.v((v) => v.gateway.service.port)), b.cat('tcp.idle_timeout.seconds=', b.v((v) => n(v).idleTimeoutSeconds)), b.and(nlb, tlsConds(b).plain)],
      [`${a}proxy-protocol`, '*', b.and(nlb, b.truthy((v) => n(v).proxyProtocol))],
      [`${a}ssl-cert`, b.s((v) => n(v).certificateArn), cert],
      [`${a}ssl-ports`, '443', cert],
      [`${a}ssl-negotiation-policy`, b.s((v) => n(v).sslPolicy), cert],
    ]);
  }
}


// --- game engine -----------------------------------------------------------------------------------

class Engine extends Construct {
  constructor(scope: Construct, id: string, b: Binding) {
    super(scope, id);
    const c = 'game-engine';
    const e = (v: Values) => v.engine;
    const sa = serviceAccount(this, b, c, (v) => e(v).serviceAccount.annotations);
    const cm = configMap(this, b, c, {
      LOG_LEVEL: b.s((v) => v.logLevel),
      KEY_PREFIX: b.s((v) => v.keyPrefix),
      ROOM_SHARDS: b.envInt((v) => v.roomShards),
      METRICS_PORT: String(PORTS.engineMetrics),
      RECONNECT_GRACE_MS: b.envInt((v) => e(v).reconnectGraceMs),
      ROOM_TTL_MS: b.envInt((v) => e(v).roomTtlMs),
      COMMIT_DURABILITY: b.s((v) => e(v).commitDurability),
      COMMIT_WAIT_MS: b.envInt((v) => e(v).commitWaitMs),
      DEADLINE_SCAN_MS: b.envInt((v) => e(v).deadlineScanMs),
      CLAIM_IDLE_MS: b.envInt((v) => e(v).claimIdleMs),
      ROOM_LOG_CAP: b.envInt((v) => e(v).roomLogCap),
      ...b.map(tracingConfig(b)),
    });
    const autoscaling = b.truthy((v) => e(v).autoscaling.enabled);
    workload(this, b, {
      component: c,
      settings: e,
      user: UIDS.gambit,
      serviceAccount: sa,
      replicas: b.n((v) => e(v).replicas),
      replicasCond: b.not(autoscaling),
      terminationGracePeriodSeconds: 30,
      podAnnotations: configChecksum(b, c, cm),
      container: {
        name: c,
        ports: [{ name: 'metrics', number: PORTS.engineMetrics }],
        configMap: cm,
        env: { ENGINE_ID: kplus.EnvValue.fromFieldRef(kplus.EnvFieldPaths.POD_NAME) },
        conditionalEnv: redisEnv(b),
        health: { live: { path: '/healthz', port: PORTS.engineMetrics }, ready: { path: '/readyz', port: PORTS.engineMetrics }, startupSeconds: 30 },
      },
    });
    clusterService(this, b, c, [{ name: 'metrics', port: PORTS.engineMetrics }]);
    b.optional(autoscaling, this, 'hpa', (s) => {
      raw(s, 'hpa', {
        apiVersion: 'autoscaling/v2',
        kind: 'HorizontalPodAutoscaler',
        metadata: meta(b, c),
        spec: {
          scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: b.s(b.name(c)) },
          minReplicas: b.n((v) => e(v).autoscaling.minReplicas),
          maxReplicas: b.n((v) => e(v).autoscaling.maxReplicas),
          metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: b.n((v) => e(v).autoscaling.targetCPUUtilizationPercentage) } } }],
          behavior: { scaleDown: { stabilizationWindowSeconds: 300, policies: [{ type: 'Pods', value: 1, periodSeconds: 60 }] } },
        },
      });
    });
    disruptionBudget(this, b, c, (v) => e(v).pdb);
  }
}

// --- finalizer -------------------------------------------------------------------------------------

class Finalizer extends Construct {
  constructor(scope: Construct, id: string, b: Binding) {
    super(scope, id);
    const c = 'finalizer';
    const f = (v: Values) => v.finalizer;
    const sa = serviceAccount(this, b, c, (v) => f(v).serviceAccount.annotations);
    const v0 = b.values;
    const cm = configMap(this, b, c, {
      LOG_LEVEL: b.s((v) => v.logLevel),
      KEY_PREFIX: b.s((v) => v.keyPrefix),
      ROOM_SHARDS: b.envInt((v) => v.roomShards),
      FINALIZER_HTTP_PORT: String(PORTS.finalizer),
      AWS_REGION: b.s((v) => v.dynamodb.region),
      GAMES_TABLE: b.s((v) => v.dynamodb.gamesTable),
      PLAYERS_TABLE: b.s((v) => v.dynamodb.playersTable),
      DYNAMODB_ENDPOINT: b.s(dynamoEndpoint(b)),
      CREATE_TABLES: b.s(b.computed('or .Values.dynamodb.createTables .Values.dynamodb.local.enabled', v0.dynamodb.createTables || v0.dynamodb.local.enabled)),
      FINALIZE_MAX_ATTEMPTS: b.envInt((v) => f(v).maxAttempts),
      FINALIZE_BACKOFF_BASE_MS: b.envInt((v) => f(v).backoffBaseMs),
      CLAIM_IDLE_MS: b.envInt((v) => f(v).claimIdleMs),
      // The engines' values, so one setting covers both: replicated, a finalizer stores a game only
      // once a replica has its finalize entry (WAIT after each read; docs/redis-cluster.md, section 4).
      COMMIT_DURABILITY: b.s((v) => v.engine.commitDurability),
      COMMIT_WAIT_MS: b.envInt((v) => v.engine.commitWaitMs),
      ...b.map(tracingConfig(b)),
    });
    workload(this, b, {
      component: c,
      settings: f,
      user: UIDS.gambit,
      serviceAccount: sa,
      replicas: b.n((v) => f(v).replicas),
      terminationGracePeriodSeconds: 30,
      podAnnotations: configChecksum(b, c, cm),
      container: {
        name: c,
        ports: [{ name: 'http', number: PORTS.finalizer }],
        configMap: cm,
        conditionalEnv: redisEnv(b),
        health: { live: { path: '/healthz', port: PORTS.finalizer }, ready: { path: '/readyz', port: PORTS.finalizer }, startupSeconds: 60 },
      },
    });
    clusterService(this, b, c, [{ name: 'http', port: PORTS.finalizer }]);
    disruptionBudget(this, b, c, (v) => f(v).pdb);
  }
}

// --- room-reaper controller ------------------------------------------------------------------------

class RoomReaper extends Construct {
  constructor(scope: Construct, id: string, b: Binding, inputs: ChartInputs) {
    super(scope, id);
    const c = 'room-reaper';
    const r = (v: Values) => v.roomReaper;
    const sa = serviceAccount(this, b, c, (v) => r(v).serviceAccount.annotations);
    raw(this, 'role', { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: meta(b, c), rules: inputs.controller.rbacRules ?? FALLBACK_RULES });
    raw(this, 'role-binding', {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: meta(b, c),
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: b.s(b.name(c)) },
      subjects: [{ kind: 'ServiceAccount', name: b.s(b.name(c)), namespace: b.s(b.namespace) }],
    });
    const cm = configMap(this, b, c, b.merged({
      LOG_LEVEL: b.s((v) => v.logLevel),
      KEY_PREFIX: b.s((v) => v.keyPrefix),
      ROOM_SHARDS: b.envInt((v) => v.roomShards),
      KUBERNETES: 'in-cluster',
      METRICS_PORT: b.envInt((v) => r(v).metricsPort),
      LEASE_NAME: b.s(b.name(c)),
      // only this release's gateways (their pod names are the gateway ids)
      GATEWAY_SELECTOR: b.cat('app.kubernetes.io/instance=', b.releaseName, ',app.kubernetes.io/component=gateway'),
      // must equal the engines' settings
      ROOM_TTL_MS: b.envInt((v) => v.engine.roomTtlMs),
      ROOM_LOG_CAP: b.envInt((v) => v.engine.roomLogCap),
    }, (v) => r(v).env));
    workload(this, b, {
      component: c,
      settings: r,
      user: UIDS.gambit,
      serviceAccount: sa,
      automountToken: true,
      replicas: b.n((v) => r(v).replicas),
      terminationGracePeriodSeconds: 30,
      podAnnotations: configChecksum(b, c, cm),
      container: {
        name: c,
        ports: [{ name: 'metrics', number: b.n((v) => r(v).metricsPort) }],
        configMap: cm,
        env: {
          POD_NAME: kplus.EnvValue.fromFieldRef(kplus.EnvFieldPaths.POD_NAME),
          POD_NAMESPACE: kplus.EnvValue.fromFieldRef(kplus.EnvFieldPaths.POD_NAMESPACE),
        },
        conditionalEnv: redisEnv(b),
        health: { live: { path: '/healthz', port: b.n((v) => r(v).metricsPort) }, ready: { path: '/readyz', port: b.n((v) => r(v).metricsPort) }, startupSeconds: 30 },
      },
    });
    raw(this, 'service', {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: meta(b, c),
      spec: { type: 'ClusterIP', selector: b.selector(c), ports: [{ name: 'metrics', port: b.n((v) => r(v).metricsPort), targetPort: 'metrics', protocol: 'TCP' }] },
    });
    disruptionBudget(this, b, c, (v) => r(v).pdb);
    b.optional(scalerOn(b), this, 'scaler', (s) => {
      raw(s, 'connection-scaler', {
        apiVersion: 'gambit.dev/v1alpha1',
        kind: 'ConnectionScaler',
        metadata: meta(b, 'gateway'),
        spec: {
          scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: b.s(b.name('gateway')) },
          targetConnectionsPerPod: b.n((v) => r(v).scaler.targetConnectionsPerPod),
          minReplicas: b.n((v) => r(v).scaler.minReplicas),
          maxReplicas: b.n((v) => r(v).scaler.maxReplicas),
          behavior: { scaleDown: { stabilizationWindowSeconds: b.n((v) => r(v).scaler.scaleDownStabilizationSeconds) } },
        },
      });
    });
  }
}

/** The room-reaper scales the gateways (its ConnectionScaler exists). */
export function scalerOn(b: Binding): Cond {
  return b.and(b.truthy((v) => v.roomReaper.enabled), b.truthy((v) => v.roomReaper.scaler.enabled));
}

// --- bundled Redis (development) -------------------------------------------------------------------

class BundledRedis extends Construct {
  constructor(scope: Construct, id: string, b: Binding) {
    super(scope, id);
    const c = 'redis';
    const r = (v: Values) => v.redis.bundled;
    const persistent = b.truthy((v) => r(v).persistence.enabled);
    const sa = serviceAccount(this, b, c);
    b.optional(persistent, this, 'pvc', (s) => {
      raw(s, 'pvc', {
        apiVersion: 'v1',
        kind: 'PersistentVolumeClaim',
        metadata: meta(b, c),
        spec: b.map<unknown>([
          ['accessModes', ['ReadWriteOnce']],
          ['resources', { requests: { storage: b.s((v) => r(v).persistence.size) } }],
          ['storageClassName', b.s((v) => r(v).persistence.storageClass), b.truthy((v) => r(v).persistence.storageClass)],
        ]),
      });
    });
    const auth = b.truthy((v) => v.redis.auth.existingSecret);
    const data = kplus.Volume.fromEmptyDir(this, 'data', 'data');
    const d = workload(this, b, {
      component: c,
      settings: r,
      user: UIDS.redis,
      serviceAccount: sa,
      replicas: 1,
      recreate: true,
      volumes: [data],
      terminationGracePeriodSeconds: 30,
      container: {
        name: c,
        ports: [{ name: 'redis', number: PORTS.redis }],
        command: ['redis-server'],
        args: present([
          '--port', String(PORTS.redis), '--protected-mode', 'no', '--dir', '/data',
          '--appendonly', 'yes', '--appendfsync', 'everysec', '--save', '',
          '--maxmemory', b.s((v) => r(v).maxmemory), '--maxmemory-policy', 'noeviction',
          b.item(auth, '--requirepass'), b.item(auth, '$(REDIS_PASSWORD)'),
        ]),
        conditionalEnv: [redisEnv(b)[0]!],
        health: { live: { port: PORTS.redis, tcp: true }, ready: { port: PORTS.redis, tcp: true }, startupSeconds: 60 },
        mounts: [{ path: '/data', volume: data }],
      },
    });
    // The data volume: the PVC when persistence is on, else an emptyDir (survives container restarts).
    postPatch(d, JsonPatch.replace('/spec/template/spec/volumes/1', b.map<unknown>([
      ['name', 'data'],
      ['persistentVolumeClaim', { claimName: b.s(b.name(c)) }, persistent],
      ['emptyDir', { sizeLimit: '1Gi' }, b.not(persistent)],
    ])));
    clusterService(this, b, c, [{ name: 'redis', port: PORTS.redis }]);
  }
}

// --- DynamoDB Local (kind, development) ------------------------------------------------------------

class DynamoDbLocal extends Construct {
  constructor(scope: Construct, id: string, b: Binding) {
    super(scope, id);
    const c = 'dynamodb';
    const l = (v: Values) => v.dynamodb.local;
    const sa = serviceAccount(this, b, c);
    workload(this, b, {
      component: c,
      settings: l,
      user: UIDS.dynamodb,
      serviceAccount: sa,
      replicas: 1,
      recreate: true,
      terminationGracePeriodSeconds: 10,
      container: {
        name: c,
        ports: [{ name: 'dynamodb', number: PORTS.dynamodb }],
        command: ['java'],
        args: ['-Xmx384m', '-Djava.io.tmpdir=/tmp', '-Djava.library.path=./DynamoDBLocal_lib', '-jar', 'DynamoDBLocal.jar', '-inMemory', '-sharedDb', '-port', String(PORTS.dynamodb)],
        health: { live: { port: PORTS.dynamodb, tcp: true }, ready: { port: PORTS.dynamodb, tcp: true }, startupSeconds: 60 },
      },
    });
    clusterService(this, b, c, [{ name: 'dynamodb', port: PORTS.dynamodb }]);
  }
}

// --- network policies ------------------------------------------------------------------------------

/**
 * Default deny for every pod of the release, then the trust chain of the design:
 * clients (through the NLB) -> gateway:8080; gateway -> finalizer:8082 (read API);
 * gateway, engine, finalizer, controller -> Redis; finalizer -> DynamoDB (443) or DynamoDB Local;
 * controller -> API server; everyone -> DNS; Prometheus -> metrics ports. With accounts
 * (accounts.ts): gateway -> accounts:8070 -> Redis, DynamoDB, finalizer, the issuer;
 * players and accounts -> id-provider:8090 -> Redis. With coturn (turn.ts): players -> the TURN
 * port and the relay range -> players (UDP). Nothing else.
 */
class NetworkPolicies extends Construct {
  constructor(scope: Construct, id: string, b: Binding) {
    super(scope, id);
    const np = (v: Values) => v.networkPolicy;
    const pods = (component: string) => ({ podSelector: { matchLabels: b.selector(component) } });
    const tcp = (port: number | string) => ({ protocol: 'TCP', port });
    const dns = {
      to: [{ namespaceSelector: { matchLabels: b.yaml((v) => np(v).dns.namespaceSelector) }, podSelector: { matchLabels: b.yaml((v) => np(v).dns.podSelector) } }],
      ports: [{ protocol: 'UDP', port: 53 }, tcp(53)],
    };
    const prometheus = {
      namespaceSelector: { matchLabels: b.yaml((v) => np(v).prometheus.namespaceSelector) },
      podSelector: b.yaml(b.computed('dict "matchLabels" .Values.networkPolicy.prometheus.podSelector', { matchLabels: b.values.networkPolicy.prometheus.podSelector })),
    };
    // spans to the OpenTelemetry Collector (tracing.otlpEndpoint set): gateway, engine and finalizer
    const collector = b.item(b.truthy((v) => v.tracing.otlpEndpoint), {
      to: [{
        namespaceSelector: { matchLabels: b.yaml((v) => v.tracing.collector.namespaceSelector) },
        podSelector: b.yaml(b.computed('dict "matchLabels" .Values.tracing.collector.podSelector', { matchLabels: b.values.tracing.collector.podSelector })),
      }],
      ports: [tcp(b.n((v) => v.tracing.collector.port))],
    });
    const bundled = b.truthy((v) => v.redis.bundled.enabled);
    const ipBlocks = (get: (v: Values) => string[]) =>
      b.yamlOf(`include "gambit.ipBlocks" ${b.v(get).helm}`, get(b.values).map((cidr) => ({ ipBlock: { cidr } })));
    const redisEgress = (): unknown[] => present([
      b.item(bundled, { to: [pods('redis')], ports: [tcp(PORTS.redis)] }),
      b.item(b.not(bundled), { to: ipBlocks((v) => v.redis.external.cidrs), ports: [tcp(b.n((v) => v.redis.external.port))] }),
    ]);
    const policy = (scope: Construct, name: string, component: string | undefined, spec: Record<string, unknown>) =>
      raw(scope, `policy-${name}`, {
        apiVersion: 'networking.k8s.io/v1',
        kind: 'NetworkPolicy',
        metadata: meta(b, component ?? 'network', b.s(b.name(name))),
        spec: { podSelector: { matchLabels: component ? b.selector(component) : b.releaseSelector() }, ...spec },
      });

    policy(this, 'default-deny', undefined, { policyTypes: ['Ingress', 'Egress'] });
    const tests = b.and(b.helmOnly, b.truthy((v) => v.tests.enabled));
    policy(this, 'gateway', 'gateway', {
      policyTypes: ['Ingress', 'Egress'],
      ingress: present([
        { from: ipBlocks((v) => v.gateway.ingressCidrs), ports: [tcp(PORTS.gateway)] },
        // in-cluster clients do not match ipBlocks everywhere: the helm test pod by its labels
        b.item(tests, { from: [pods('test')], ports: [tcp(PORTS.gateway)] }),
      ]),
      egress: present([
        dns,
        ...redisEgress(),
        { to: [pods('finalizer')], ports: [tcp(PORTS.finalizer)] },
        b.item(accountsOn(b), { to: [pods('accounts')], ports: [tcp(PORTS.accounts)] }),
        // the OIDC provider's keys (JWKS) over HTTPS
        b.item(b.truthy((v) => v.auth.oidc.issuer), { to: ipBlocks((v) => v.auth.oidc.cidrs), ports: [tcp(443)] }),
        collector,
      ]),
    });
    policy(this, 'game-engine', 'game-engine', {
      policyTypes: ['Ingress', 'Egress'],
      ingress: [{ from: [prometheus], ports: [tcp(PORTS.engineMetrics)] }],
      egress: present([dns, ...redisEgress(), collector]),
    });
    const local = b.truthy((v) => v.dynamodb.local.enabled);
    const dynamoEgress = () => [
      b.item(local, { to: [pods('dynamodb')], ports: [tcp(PORTS.dynamodb)] }),
      // DynamoDB and STS (IRSA) over HTTPS; the EKS Pod Identity agent on the node (169.254.170.23:80).
      b.item(b.not(local), { to: ipBlocks((v) => v.dynamodb.cidrs), ports: [tcp(443)] }),
      b.item(b.not(local), { to: [{ ipBlock: { cidr: '169.254.170.23/32' } }], ports: [tcp(80)] }),
    ];
    policy(this, 'finalizer', 'finalizer', {
      policyTypes: ['Ingress', 'Egress'],
      // the accounts service reads stats and games for the export
      ingress: [{ from: present([pods('gateway'), b.item(accountsOn(b), pods('accounts')), prometheus]), ports: [tcp(PORTS.finalizer)] }],
      egress: present([dns, ...redisEgress(), ...dynamoEgress(), collector]),
    });
    const kit = { policy, pods, tcp, ipBlocks, dns, prometheus, redisEgress, dynamoEgress };
    accountsNetworkPolicies(this, b, kit);
    b.optional(turnOn(b), this, 'turn', (s) => turnNetworkPolicy(s, b, kit));
    b.optional(b.truthy((v) => v.roomReaper.enabled), this, 'room-reaper', (s) => {
      policy(s, 'room-reaper', 'room-reaper', {
        policyTypes: ['Ingress', 'Egress'],
        ingress: [{ from: [prometheus], ports: [tcp(b.n((v) => v.roomReaper.metricsPort))] }],
        egress: [dns, ...redisEgress(), { to: ipBlocks((v) => v.networkPolicy.apiServerCidrs), ports: [tcp(443), tcp(6443)] }],
      });
    });
    b.optional(bundled, this, 'redis', (s) => {
      policy(s, 'redis', 'redis', {
        policyTypes: ['Ingress', 'Egress'],
        ingress: [{
          from: present([
            pods('gateway'), pods('game-engine'), pods('finalizer'), b.item(b.truthy((v) => v.roomReaper.enabled), pods('room-reaper')),
            b.item(accountsOn(b), pods('accounts')), b.item(idProviderOn(b), pods('id-provider')),
          ]),
          ports: [tcp(PORTS.redis)],
        }],
      });
    });
    b.optional(local, this, 'dynamodb', (s) => {
      policy(s, 'dynamodb', 'dynamodb', {
        policyTypes: ['Ingress', 'Egress'],
        ingress: [{ from: present([pods('finalizer'), b.item(accountsOn(b), pods('accounts'))]), ports: [tcp(PORTS.dynamodb)] }],
      });
    });
    b.optional(tests, this, 'tests', (s) => {
      policy(s, 'test', 'test', {
        policyTypes: ['Ingress', 'Egress'],
        egress: [dns, { to: [pods('gateway')], ports: [tcp(PORTS.gateway)] }],
      });
    });
  }
}

// --- monitoring ------------------------------------------------------------------------------------

class Monitoring extends Construct {
  constructor(scope: Construct, id: string, b: Binding, inputs: ChartInputs) {
    super(scope, id);
    const m = (v: Values) => v.monitoring;
    const sm = b.truthy((v) => m(v).serviceMonitor.enabled);
    const serviceMonitor = (component: string, port: string, cond: Cond = b.always) =>
      b.optional(b.and(sm, cond), this, `sm-${component}`, (s) => {
        raw(s, 'service-monitor', {
          apiVersion: 'monitoring.coreos.com/v1',
          kind: 'ServiceMonitor',
          metadata: { name: b.s(b.name(component)), labels: b.merged(b.labels(component), (v) => m(v).serviceMonitor.labels), ...b.annotations() },
          spec: {
            selector: { matchLabels: b.selector(component) },
            namespaceSelector: { matchNames: [b.s(b.namespace)] },
            endpoints: [{
              port,
              path: '/metrics',
              interval: b.s((v) => m(v).serviceMonitor.interval),
              scrapeTimeout: b.s((v) => m(v).serviceMonitor.scrapeTimeout),
              // the alert rules and dashboards select targets by `component`
              relabelings: [{ sourceLabels: ['__meta_kubernetes_service_label_app_kubernetes_io_component'], targetLabel: 'component', action: 'replace' }],
            }],
          },
        });
      });
    serviceMonitor('gateway', 'http');
    serviceMonitor('game-engine', 'metrics');
    serviceMonitor('finalizer', 'http');
    serviceMonitor('room-reaper', 'metrics', b.truthy((v) => v.roomReaper.enabled));
    serviceMonitor('accounts', 'http', accountsOn(b));
    serviceMonitor('turn', 'metrics', b.and(turnOn(b), b.truthy((v) => v.turn.metrics.enabled)));

    if (inputs.alerts) {
      b.optional(b.truthy((v) => m(v).prometheusRule.enabled), this, 'rules', (s) => {
        raw(s, 'prometheus-rule', {
          apiVersion: 'monitoring.coreos.com/v1',
          kind: 'PrometheusRule',
          metadata: { name: b.s(b.name('alerts')), labels: b.merged(b.labels('alerts'), (v) => m(v).prometheusRule.labels), ...b.annotations() },
          // .Files.Get: the rule text is never run through the template engine ({{ $labels }} stays)
          spec: { groups: b.yamlOf('toYaml (get (.Files.Get "files/prometheus/alerts.yml" | fromYaml) "groups")', inputs.alerts!.groups) },
        });
      });
    }
    b.optional(b.truthy((v) => m(v).alertmanager.enabled), this, 'alertmanager', (s) => alertmanagerSecret(s, b, b.labels('alertmanager')));
    if (inputs.dashboards.length > 0) {
      b.optional(b.truthy((v) => m(v).dashboards.enabled), this, 'dashboards', (s) => {
        const ns = b.computed('default .Release.Namespace .Values.monitoring.dashboards.namespace', b.values.monitoring.dashboards.namespace || b.release.namespace);
        for (const d of inputs.dashboards) {
          // the release's namespace is in the name: several releases may share the dashboards' namespace
          const name = b.computed(
            `printf "%s-%s-${d.name}" (include "gambit.fullname" .) .Release.Namespace | trunc 63 | trimSuffix "-"`,
            `${b.fullname.literal}-${b.release.namespace}-${d.name}`.slice(0, 63).replace(/-+$/, ''),
          );
          raw(s, d.name, {
            apiVersion: 'v1',
            kind: 'ConfigMap',
            metadata: {
              name: b.s(name),
              namespace: b.s(ns),
              labels: b.merged({ ...b.labels('dashboards'), grafana_dashboard: '1' }, (v) => m(v).dashboards.labels),
              ...b.annotations({}, (v) => m(v).dashboards.annotations),
            },
            data: { [d.file]: b.textOf(`.Files.Get "files/dashboards/${d.file}"`, d.content.replace(/\n$/, '')) },
          });
        }
      });
    }
  }
}

// --- helm test -------------------------------------------------------------------------------------

/** `helm test`: a pod (the gateway image: it has node) that plays ping through the gateway Service. */
class HelmTest extends Construct {
  constructor(scope: Construct, id: string, b: Binding, inputs: ChartInputs) {
    super(scope, id);
    const c = 'test';
    const hook = { 'helm.sh/hook': 'test', 'helm.sh/hook-delete-policy': 'before-hook-creation,hook-succeeded' };
    raw(this, 'script', {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: meta(b, c, b.s(b.name('test-ping')), { ...hook, 'helm.sh/hook-weight': '-1' }),
      data: { 'ping.mjs': inputs.testScript },
    });
    raw(this, 'pod', {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: meta(b, c, b.s(b.name('test-ping')), hook),
      spec: b.map<unknown>([
        ['restartPolicy', 'Never'],
        ['automountServiceAccountToken', false],
        ['securityContext', { runAsNonRoot: true, runAsUser: UIDS.gambit, runAsGroup: UIDS.gambit, seccompProfile: { type: 'RuntimeDefault' } }],
        ['imagePullSecrets', b.yaml((v) => v.imagePullSecrets), b.truthy((v) => v.imagePullSecrets)],
        ['containers', [{
          name: 'ping',
          image: b.image((v) => v.gateway.image),
          imagePullPolicy: b.pullPolicy((v) => v.gateway.image),
          command: ['/usr/local/bin/node', '/test/ping.mjs'],
          // in the cluster the Service's ports all reach the pods' plain 8080 (TLS ends at the NLB), 443 too
          env: [{ name: 'GATEWAY_URL', value: b.cat('http://', b.name('gateway'), ':', gatewayTestPort(b)) }],
          securityContext: toPodSecurity(containerSecurity(UIDS.gambit)),
          resources: { requests: { cpu: '10m', memory: '32Mi' }, limits: { memory: '128Mi' } },
          volumeMounts: [{ name: 'script', mountPath: '/test', readOnly: true }],
        }]],
        ['volumes', [{ name: 'script', configMap: { name: b.s(b.name('test-ping')) } }]],
      ]),
    });
  }
}

/** The Service port the helm test pod uses: the plain one when it exists, else 443. */
function gatewayTestPort(b: Binding) {
  const { plain } = tlsConds(b);
  return b.computed(`ternary (int64 .Values.gateway.service.port) 443 ${plain.helm}`, plain.literal ? b.values.gateway.service.port : 443);
}

/** The plain JSON of a cdk8s-plus container security context. */
function toPodSecurity(s: kplus.ContainerSecurityContextProps) {
  return {
    runAsNonRoot: s.ensureNonRoot, runAsUser: s.user, runAsGroup: s.group, readOnlyRootFilesystem: s.readOnlyRootFilesystem,
    allowPrivilegeEscalation: s.allowPrivilegeEscalation, privileged: s.privileged,
    capabilities: { drop: ['ALL'] }, seccompProfile: { type: 'RuntimeDefault' },
  };
}

export type { Cond };
